-- The load ledger as statisticians and auditors see it: every file received, its outcome and the
-- gate's results. Reasons and results name sheet/row/column and rules, never a cell value.
with loads as (
    select * from {{ ref('stg_ingest__loads') }}
),

in_force as (
    select load_id, min(period) as first_period_in_force, max(period) as last_period_in_force
    from {{ ref('int_loads_in_force') }}
    group by load_id
),

final as (
    select
        loads.load_id,
        loads.sha256,
        loads.file_name,
        loads.archive_path,
        loads.kind,
        loads.submitter,
        loads.region_code,
        loads.period,
        loads.received_at,
        loads.ingested_at,
        loads.status,
        loads.row_count,
        loads.reasons,
        loads.validation,
        loads.code_version,
        in_force.first_period_in_force,
        in_force.last_period_in_force
    from loads
    left join in_force
        on in_force.load_id = loads.load_id
)

select * from final
