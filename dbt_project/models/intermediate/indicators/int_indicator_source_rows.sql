-- The spreadsheet rows behind every contribution, for auditors: role `denominator` and `numerator`
-- rows are counted; `evidence` rows (cooperations) are why an enterprise counts in the numerator.
with teachers as (
    select * from {{ ref('int_teachers_in_force') }}
    where is_fulltime_professional
),

enterprises as (
    select * from {{ ref('int_above_scale_enterprises_in_force') }}
),

active_cooperations as (
    select * from {{ ref('int_cooperations_active') }}
    where is_active_at_period_end
),

teacher_variants as (
    select 'default' as variant_code, teachers.*, is_dual_qualified as counts from teachers
    union all
    select 'population=dual_or_integrated', teachers.*, is_dual_qualified or is_integrated from teachers
),

teacher_rows as (
    select 'dual_teacher_ratio' as indicator_code, variant_code, period, school_code as unit_code,
        region_code as unit_region_code, 'denominator' as role, load_id, source_sheet, source_row
    from teacher_variants
    union all
    select 'dual_teacher_ratio', variant_code, period, school_code, region_code, 'numerator', load_id, source_sheet, source_row
    from teacher_variants
    where counts
),

enterprise_rows as (
    select 'above_scale_participation_rate' as indicator_code, 'default' as variant_code, period, uscc as unit_code,
        region_code as unit_region_code, 'denominator' as role, load_id, source_sheet, source_row
    from enterprises
    union all
    select 'above_scale_participation_rate', 'default', period, uscc, region_code, 'numerator', load_id, source_sheet, source_row
    from enterprises
    where takes_part
    union all
    select 'above_scale_participation_rate', 'default', enterprises.period, enterprises.uscc, enterprises.region_code,
        'evidence', active_cooperations.load_id, active_cooperations.source_sheet, active_cooperations.source_row
    from enterprises
    inner join active_cooperations
        on active_cooperations.period = enterprises.period
        and active_cooperations.enterprise_uscc = enterprises.uscc
),

final as (
    select * from teacher_rows
    union all
    select * from enterprise_rows
)

select * from final
