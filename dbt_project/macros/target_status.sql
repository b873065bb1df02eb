{#- A target's status from an indicator value (indicators.md): judged on the unrounded value. -#}
{% macro target_status(kind, value, value_status, comparator, lower, upper) -%}
    case
        when {{ kind }} = 'reference' then 'reference'
        when {{ value_status }} is null then 'no_data'
        when {{ value_status }} <> 'ok' then {{ value_status }}
        when {{ comparator }} = '>=' and {{ value }} >= {{ lower }} then 'met'
        when {{ comparator }} = '>' and {{ value }} > {{ lower }} then 'met'
        when {{ comparator }} = 'between' and {{ value }} between {{ lower }} and {{ upper }} then 'met'
        else 'not_met'
    end
{%- endmacro %}
