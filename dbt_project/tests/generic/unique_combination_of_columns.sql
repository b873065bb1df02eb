{#- A model's grain: no two rows share the combination of columns (our own version of
    dbt_utils.unique_combination_of_columns, same name and arguments, since dbt Hub is out of reach).
    Nulls compare equal here (group by), so a grain column that may be null by design
    (measured_region_code) still takes part; the other grain columns carry their own not_null test. -#}
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
