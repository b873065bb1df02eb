{#- Graduate cohort Y for period `period` (text YYYY-MM), indicators.md "Cohort": Y = year(P) from
    September (graduates leave in June–July, the first survey is on 31 August), else year(P) - 1. -#}
{% macro cohort_year(period) -%}
    case when cast(substr({{ period }}, 6, 2) as integer) >= 9
        then cast(substr({{ period }}, 1, 4) as integer)
        else cast(substr({{ period }}, 1, 4) as integer) - 1
    end
{%- endmacro %}
