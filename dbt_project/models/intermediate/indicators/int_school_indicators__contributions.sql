-- Per school and period, for every variant: the indicators read from the school workbook.
--   dual_teacher_ratio            双师型 (or 一体化 for population dual_or_integrated) / full-time professional teachers
--   teacher_practice_compliance   teachers of the population meeting the rule (days in window) / that population
--   part_time_teacher_ratio       兼职 teachers / 编制员额
--   apprenticeship_rate           apprentices 在读 / 在校生数
--   practical_hours_share         实践性教学课时 / 总课时
--   practical_hours_compliance    1 if the school's own share >= 50% / 1
-- Populations secondary_schools / higher_schools keep only schools of that stage.
-- The teacher and apprentice rules are macros/indicator_rows.sql's, which int_school_indicators__source_rows lists too.
with school_variants as (
    {{ school_variants(['dual_teacher_ratio', 'teacher_practice_compliance', 'part_time_teacher_ratio',
        'apprenticeship_rate', 'practical_hours_share', 'practical_hours_compliance']) | indent(4) }}
),

teacher_rows as (
    {{ teacher_indicator_rows() | indent(4) }}
),

teacher_counts as (
    select
        period,
        load_id,
        indicator_code,
        variant_code,
        count(case when in_numerator then 1 end) as numerator,
        count(case when in_denominator then 1 end) as denominator
    from teacher_rows
    group by period, load_id, indicator_code, variant_code
),

apprentice_counts as (
    select
        load_id,
        count(*) as enrolled_apprentices
    from ({{ counted_apprentices() }}) as apprentices
    group by load_id
),

final as (
    select
        school_variants.indicator_code,
        school_variants.variant_code,
        school_variants.period,
        'school' as unit_type,
        school_variants.school_code as unit_code,
        school_variants.region_code as unit_region_code,
        cast(null as varchar) as measured_region_code,
        cast(null as integer) as cohort_year,
        school_variants.load_id,
        cast(case school_variants.indicator_code
            when 'apprenticeship_rate' then coalesce(apprentice_counts.enrolled_apprentices, 0)
            when 'practical_hours_share' then school_variants.practical_teaching_hours
            when 'practical_hours_compliance'
                then
                    case when school_variants.total_teaching_hours > 0
                            and school_variants.practical_teaching_hours >= 0.5 * school_variants.total_teaching_hours then 1
                        else 0
                    end
            else coalesce(teacher_counts.numerator, 0)
        end as double precision) as numerator,
        cast(case school_variants.indicator_code
            when 'apprenticeship_rate' then school_variants.enrolled_students
            when 'practical_hours_share' then school_variants.total_teaching_hours
            when 'practical_hours_compliance' then 1
            when 'part_time_teacher_ratio' then school_variants.staff_quota
            else coalesce(teacher_counts.denominator, 0)
        end as double precision) as denominator
    from school_variants
    left join teacher_counts
        on teacher_counts.load_id = school_variants.load_id
            and teacher_counts.indicator_code = school_variants.indicator_code
            and teacher_counts.variant_code = school_variants.variant_code
    left join apprentice_counts
        on apprentice_counts.load_id = school_variants.load_id
)

select * from final
