-- One row per school and period: the 学校信息 row of the workbook in force.
with in_force as (
    select * from {{ ref('int_loads_in_force') }}
    where kind = 'school_workbook'
),

schools as (
    select * from {{ ref('stg_schools__schools') }}
),

final as (
    select
        in_force.period,
        schools.load_id,
        schools.source_sheet,
        schools.source_row,
        schools.school_code,
        schools.school_name,
        schools.region_code,
        schools.school_level,
        schools.school_stage,
        schools.enrolled_students,
        schools.staff_quota,
        schools.total_teaching_hours,
        schools.practical_teaching_hours
    from in_force
    inner join schools
        on schools.load_id = in_force.load_id
)

select * from final
