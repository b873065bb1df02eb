{#- Rank of a certification or carrier level, higher is more senior: 国家 4, 省 3, 市(州) 2, 县 1.
    Both lists of templates.md (认定级别 and 载体级别) map onto the same ranks. -#}
{% macro level_rank(level) -%}
    case {{ level }}
        when '国家' then 4 when '国家级' then 4
        when '省' then 3 when '省级' then 3
        when '市(州)' then 2 when '市级' then 2 when '州级' then 2
        when '县' then 1 when '县级' then 1
    end
{%- endmacro %}
