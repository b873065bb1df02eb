{#- A model's grain in one query: no two rows share the combination of `columns`, and none of those
    columns is null (one test per model instead of a uniqueness test plus a not_null test per grain
    column; tests/warehouse/test_dbt_hygiene.py checks every model has it). A grain column null by design
    (measured_region_code) is listed in `nullable_columns` too: it takes part in the uniqueness (nulls
    compare equal in group by) but may be null. One scan and one group by: a null in a grain column makes
    a group whose key holds that null, so the null check runs on the groups, not on every row.
    Failing rows: each duplicated or null-keyed combination with its row count. -#}
{% test grain(model, columns, nullable_columns=[]) %}
{%- set not_nullable = columns | reject('in', nullable_columns) | list %}
with grain_groups as (
    select
        {{ columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
)

select * from grain_groups
where
    n_rows > 1
    {%- for column in not_nullable %}
    or {{ column }} is null
    {%- endfor %}
{% endtest %}
