-- Each school's stage (学段) for each period. A stage is a fact about the school, not about this month's
-- workbook: it comes from the school's latest workbook in force up to P, else from the reporting frame
-- in force — a college that has not yet sent its October workbook still has its stage. One stage per
-- school and period, so a school that changed its 办学层次 is never counted twice. Each row names the
-- row giving the stage (the 学校信息 row or the frame's row), the evidence a trace shows.
with periods as (
    select * from {{ ref('int_periods') }}
),

workbooks as (
    select * from {{ ref('int_schools_in_force') }}
),

frame_schools as (
    select * from {{ ref('int_reporting_frame_in_force') }}
    where kind = 'school_workbook' and school_level is not null
),

stage_sources as (
    select
        periods.period,
        workbooks.school_code,
        workbooks.school_stage,
        0 as source_rank,
        workbooks.period as source_period,
        workbooks.load_id,
        workbooks.source_sheet,
        workbooks.source_row
    from periods
    inner join workbooks
        on workbooks.period <= periods.period
    union all
    select
        period,
        submitter_code as school_code,
        {{ school_stage('school_level') }} as school_stage,
        1 as source_rank,
        period as source_period,
        load_id,
        source_sheet,
        source_row
    from frame_schools
),

ranked_stages as (
    -- its latest workbook first, then the frame
    select
        *,
        row_number() over (partition by period, school_code order by source_rank asc, source_period desc) as preference
    from stage_sources
),

final as (
    select
        period,
        school_code,
        school_stage,
        load_id,
        source_sheet,
        source_row
    from ranked_stages
    where preference = 1
)

select * from final
