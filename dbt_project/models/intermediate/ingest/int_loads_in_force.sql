-- Which accepted load is in force for each period (indicators.md "Submissions in force"):
-- a school's latest workbook for P; a register's latest version with period <= P for the region it covers.
-- "Latest" = latest received_at, ties broken by sha256.
with loads as (
    select * from {{ ref('stg_ingest__loads') }}
    where status = 'accepted'
),

periods as (
    select * from {{ ref('int_periods') }}
),

workbooks as (
    select
        periods.period,
        loads.load_id,
        loads.kind,
        loads.submitter,
        loads.region_code,
        loads.period as source_period,
        row_number() over (
            partition by loads.submitter, periods.period
            order by loads.received_at desc, loads.sha256 desc
        ) as recency
    from periods
    inner join loads
        on loads.period = periods.period
        and loads.kind = 'school_workbook'
),

registers as (
    select
        periods.period,
        loads.load_id,
        loads.kind,
        loads.submitter,
        loads.region_code,
        loads.period as source_period,
        row_number() over (
            partition by loads.kind, loads.submitter, periods.period
            order by loads.period desc, loads.received_at desc, loads.sha256 desc
        ) as recency
    from periods
    inner join loads
        on loads.period <= periods.period
        and loads.kind not in ('school_workbook', 'enterprise_return')
),

final as (
    select period, load_id, kind, submitter, region_code, source_period from workbooks where recency = 1
    union all
    select period, load_id, kind, submitter, region_code, source_period from registers where recency = 1
)

select * from final
