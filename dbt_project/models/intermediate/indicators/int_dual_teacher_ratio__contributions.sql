-- dual_teacher_ratio per school: full-time professional teachers flagged 双师型 / full-time
-- professional teachers. Variant population=dual_or_integrated (鹤壁) also counts 一体化 teachers.
-- Schools with no such teachers contribute 0/0, so a region of only such schools is not_computable.
with schools as (
    select * from {{ ref('int_schools_in_force') }}
),

teachers as (
    select * from {{ ref('int_teachers_in_force') }}
    where is_fulltime_professional
),

per_school as (
    select
        schools.period,
        schools.school_code,
        schools.region_code,
        schools.load_id,
        count(teachers.source_row) as fulltime_professional,
        count(case when teachers.is_dual_qualified then 1 end) as dual,
        count(case when teachers.is_dual_qualified or teachers.is_integrated then 1 end) as dual_or_integrated
    from schools
    left join teachers
        on teachers.load_id = schools.load_id
    group by schools.period, schools.school_code, schools.region_code, schools.load_id
),

final as (
    select 'dual_teacher_ratio' as indicator_code, 'default' as variant_code, period, 'school' as unit_type,
        school_code as unit_code, region_code as unit_region_code, load_id, dual as numerator, fulltime_professional as denominator
    from per_school
    union all
    select 'dual_teacher_ratio', 'population=dual_or_integrated', period, 'school',
        school_code, region_code, load_id, dual_or_integrated, fulltime_professional
    from per_school
)

select * from final
