-- Teachers on the roster of each school's workbook in force, with the school's region.
with schools as (
    select * from {{ ref('int_schools_in_force') }}
),

teachers as (
    select * from {{ ref('stg_schools__teachers') }}
),

final as (
    select
        schools.period,
        teachers.load_id,
        teachers.source_sheet,
        teachers.source_row,
        teachers.school_code,
        schools.region_code,
        schools.school_stage,
        teachers.is_full_time,
        teachers.is_professional,
        teachers.is_dual_qualified,
        teachers.is_integrated,
        teachers.practice_days_12m,
        teachers.practice_days_24m,
        teachers.is_full_time and teachers.is_professional as is_fulltime_professional
    from schools
    inner join teachers
        on teachers.load_id = schools.load_id
)

select * from final
