{#- A uniqueness test on a combination of columns that is not the model's grain (the grain has the
    `grain` test, grain.sql, which also checks its columns for nulls): e.g. int_loads_in_force's one load in
    force per (period, kind, submitter). Our own version of dbt_utils.unique_combination_of_columns, same
    name and arguments, since dbt Hub is out of reach. Nulls compare equal here (group by). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set columns = combination_of_columns | join(', ') %}
with grain as (
    select
        {{ columns }},
        count(*) as n_rows
    from {{ model }}
    group by {{ columns }}
    having count(*) > 1
)

select * from grain
{% endtest %}
