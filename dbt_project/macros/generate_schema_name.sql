{#- Schemas are named by layer (staging, intermediate, marts), not prefixed by the target schema:
    statisticians query `marts.*` whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
