{#- A number as text the same way on DuckDB and PostgreSQL, without trailing zeros: 8 → '8', 1.5 → '1.5'.
    A plain cast of a double does not do that (DuckDB prints 8.0, PostgreSQL 8), and the text ends up in
    variant codes that must be identical on both targets. Four decimals cover every band of a percentage. -#}
{% macro plain_number(column) -%}
    rtrim(rtrim(cast(cast({{ column }} as decimal(18, 4)) as varchar), '0'), '.')
{%- endmacro %}
