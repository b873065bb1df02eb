{#- Rows of the registers of one kind in force for each period (indicators.md "Submissions in force"):
    a register is complete for the region it covers (its submitter), and for each row's region the
    latest accepted register covering that region with period <= P wins — so a newer county register
    replaces the county's part of an older city register and leaves the other counties alone.
    "Latest" = latest period, then received_at, ties broken by sha256. -#}
{% macro rows_in_force(kind, staging_model) %}
with loads as (
    select * from {{ ref('stg_ingest__loads') }}
    where status = 'accepted' and kind = '{{ kind }}'
),

periods as (
    select * from {{ ref('int_periods') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

register_rows as (
    select * from {{ ref(staging_model) }}
),

candidates as (
    select
        periods.period,
        loads.load_id,
        loads.submitter as covered_region,
        loads.period as source_period,
        loads.received_at,
        loads.sha256
    from periods
    inner join loads
        on loads.period <= periods.period
),

row_regions as (
    select distinct candidates.period, register_rows.region_code
    from candidates
    inner join register_rows
        on register_rows.load_id = candidates.load_id
),

winners as (
    select
        row_regions.period,
        row_regions.region_code,
        candidates.load_id,
        row_number() over (
            partition by row_regions.period, row_regions.region_code
            order by candidates.source_period desc, candidates.received_at desc, candidates.sha256 desc
        ) as recency
    from row_regions
    inner join ancestors
        on ancestors.region_code = row_regions.region_code
    inner join candidates
        on candidates.period = row_regions.period
        and candidates.covered_region in (ancestors.ancestor_code, '000000')
),

final as (
    select
        winners.period,
        register_rows.*
    from winners
    inner join register_rows
        on register_rows.load_id = winners.load_id
        and register_rows.region_code = winners.region_code
    where winners.recency = 1
)

select * from final
{% endmacro %}
