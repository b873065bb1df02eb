-- Which accepted load is in force for each period (indicators.md "Submissions in force"): a school's
-- latest workbook for P; for enterprise returns, registers and finance, every load that still supplies
-- at least one row in force (those rules are per row, see the *_in_force models).
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
        row_number() over (
            partition by loads.submitter, periods.period
            order by loads.received_at desc, loads.sha256 desc
        ) as recency
    from periods
    inner join loads
        on loads.period = periods.period
            and loads.kind = 'school_workbook'
),

row_level as (
    select
        period,
        load_id
    from {{ ref('int_enterprise_returns_in_force') }}
    union
    select
        period,
        load_id
    from {{ ref('int_above_scale_register_rows_in_force') }}
    union
    select
        period,
        load_id
    from {{ ref('int_certified_enterprises_in_force') }}
    union
    select
        period,
        load_id
    from {{ ref('int_carriers_in_force') }}
    union
    select
        period,
        load_id
    from {{ ref('int_education_finance_in_force') }}
),

in_force as (
    select
        period,
        load_id
    from workbooks
    where recency = 1
    union all
    select
        period,
        load_id
    from row_level
),

final as (
    select
        in_force.period,
        loads.load_id,
        loads.kind,
        loads.submitter,
        loads.region_code,
        loads.period as source_period
    from in_force
    inner join loads
        on loads.load_id = in_force.load_id
)

select * from final
