{#- Last day of month `period` (text YYYY-MM): the date cooperations, certifications and carriers are judged on. -#}
{% macro period_end(period) -%}
    (cast({{ period }} || '-01' as date) + interval 1 month - interval 1 day)
{%- endmacro %}
