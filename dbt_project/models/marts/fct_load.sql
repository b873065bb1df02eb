-- The load ledger as statisticians and auditors see it: every file received, its outcome and the
-- gate's results. Reasons and results name sheet/row/column and rules, never a cell value.
with loads as (
    select * from {{ ref('stg_ingest__loads') }}
),

-- A later accepted file from the same submitter for the same kind and period supersedes this one;
-- derived here, never written back to the append-only ledger.
successors as (
    select
        load_id,
        lead(load_id) over same_submission as superseded_by_load_id,
        lead(received_at) over same_submission as superseded_at
    from loads
    where status = 'accepted'
    window same_submission as (partition by kind, submitter, period order by received_at, sha256)
),

in_force as (
    select
        load_id,
        min(period) as first_period_in_force,
        max(period) as last_period_in_force
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
        successors.superseded_by_load_id,
        successors.superseded_at,
        in_force.first_period_in_force,
        in_force.last_period_in_force
    from loads
    left join successors
        on successors.load_id = loads.load_id
    left join in_force
        on in_force.load_id = loads.load_id
)

select * from final
