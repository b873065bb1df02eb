{#- Source freshness of a raw sheet table (loaded_at_query in the sources' YAML). The sheet tables carry
    no timestamp of their own: each row names its load, and the load ledger (raw.loads, in the same
    schema) holds when that load was ingested. So a table is as fresh as the latest load that put rows
    into it. -#}
{% macro ledger_loaded_at(relation) -%}
    select max(loads.ingested_at)
    from {{ relation.incorporate(path={"identifier": "loads"}) }} as loads
    where loads.load_id in (select sheet_rows.load_id from {{ relation }} as sheet_rows)
{%- endmacro %}
