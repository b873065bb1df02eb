{#- Last day of month `period` (text YYYY-MM): the date cooperations, certifications and carriers are
    judged on. Written once for DuckDB and PostgreSQL alike. -#}
{% macro period_end(period) -%}
    cast(cast({{ period }} || '-01' as date) + interval '1 month' - interval '1 day' as date)
{%- endmacro %}
