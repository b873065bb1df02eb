{#- A target's status from an indicator value (indicators.md): judged on the unrounded value — to nine
    decimals, which keeps every digit a ratio of typed figures has and drops the last bit of a double
    (300.9 of 1003 is exactly 30 %, as a double 29.999999999999996). -#}
{% macro target_status(kind, value, value_status, comparator, lower, upper) -%}
    case
        when {{ kind }} = 'reference' then 'reference'
        when {{ value_status }} is null then 'no_data'
        when {{ value_status }} <> 'ok' then {{ value_status }}
        when {{ comparator }} = '>=' and cast({{ value }} as decimal(38, 9)) >= cast({{ lower }} as decimal(38, 9)) then 'met'
        when {{ comparator }} = '>' and cast({{ value }} as decimal(38, 9)) > cast({{ lower }} as decimal(38, 9)) then 'met'
        when {{ comparator }} = 'between'
            and cast({{ value }} as decimal(38, 9)) between cast({{ lower }} as decimal(38, 9)) and cast({{ upper }} as decimal(38, 9)) then 'met'
        else 'not_met'
    end
{%- endmacro %}
