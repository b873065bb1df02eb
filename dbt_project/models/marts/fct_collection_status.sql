-- The collection's state: per submitter expected by the frame in force × period, what was received,
-- accepted and rejected; `missing` when nothing was received. Submissions from outside the frame are
-- listed too (expected = false), so a statistician sees both gaps and strangers in one table.
with expected as (
    select * from {{ ref('int_reporting_frame_in_force') }}
),

loads as (
    select * from {{ ref('stg_ingest__loads') }}
    where status in ('accepted', 'rejected') and kind is not null and kind <> 'reporting_frame'
),

received as (
    select
        period,
        kind,
        submitter,
        count(*) as files_received,
        count(case when status = 'accepted' then 1 end) as files_accepted,
        count(case when status = 'rejected' then 1 end) as files_rejected,
        max(received_at) as last_received_at
    from loads
    group by period, kind, submitter
),

framed as (
    select
        expected.period,
        expected.kind,
        expected.submitter_code,
        expected.submitter_name,
        expected.region_code,
        true as is_expected
    from expected
),

framed_periods as (
    select distinct period
    from framed
),

strangers as (
    -- received for a period the frame covers, from a submitter the frame does not expect
    select
        received.period,
        received.kind,
        received.submitter as submitter_code,
        cast(null as varchar) as submitter_name,
        cast(null as varchar) as region_code,
        false as is_expected
    from received
    inner join framed_periods
        on framed_periods.period = received.period
    left join framed
        on framed.period = received.period
            and framed.kind = received.kind
            and framed.submitter_code = received.submitter
    where framed.submitter_code is null
),

final as (
    select
        units.period,
        units.kind,
        units.submitter_code,
        units.submitter_name,
        units.region_code,
        units.is_expected,
        cast(coalesce(received.files_received, 0) as integer) as files_received,
        cast(coalesce(received.files_accepted, 0) as integer) as files_accepted,
        cast(coalesce(received.files_rejected, 0) as integer) as files_rejected,
        received.last_received_at,
        case
            when coalesce(received.files_accepted, 0) > 0 then 'accepted'
            when coalesce(received.files_rejected, 0) > 0 then 'rejected'
            else 'missing'
        end as collection_state
    from (
        select * from framed
        union all
        select * from strangers
    ) as units
    left join received
        on received.period = units.period
            and received.kind = units.kind
            and received.submitter = units.submitter_code
)

select * from final
