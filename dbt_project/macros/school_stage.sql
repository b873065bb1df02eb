{#- Stage of a 办学层次 (templates.md): secondary = 中职, 技工院校; higher = 高职专科, 职业本科. -#}
{% macro school_stage(level) -%}
    case
        when {{ level }} in ('中职', '技工院校') then 'secondary'
        when {{ level }} in ('高职专科', '职业本科') then 'higher'
    end
{%- endmacro %}
