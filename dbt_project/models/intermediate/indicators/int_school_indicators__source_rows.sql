-- The school-workbook rows behind the school indicators, per school variant: each teacher or apprentice
-- row judged by the rules of macros/indicator_rows.sql (the ones int_school_indicators__contributions
-- counts), and the 学校信息 row for the figures it gives. One row per source row × role; amount is what
-- the row adds to that role. int_indicator_source_rows lists them for the unit's county, city and province.
with school_contributions as (
    select * from {{ ref('int_school_indicators__contributions') }}
),

schools as (
    select * from {{ ref('int_schools_in_force') }}
),

teacher_flags as (
    {{ teacher_indicator_rows() | indent(4) }}
),

teacher_rows as (
    select
        indicator_code,
        variant_code,
        period,
        school_code as unit_code,
        region_code as unit_region_code,
        'denominator' as role,
        cast(1 as double precision) as amount,
        load_id,
        source_sheet,
        source_row
    from teacher_flags
    where in_denominator
    union all
    select
        indicator_code,
        variant_code,
        period,
        school_code as unit_code,
        region_code as unit_region_code,
        'numerator' as role,
        1 as amount,
        load_id,
        source_sheet,
        source_row
    from teacher_flags
    where in_numerator
),

apprenticeship_variants as (
    {{ school_variants(['apprenticeship_rate']) | indent(4) }}
),

counted_apprentices as (
    {{ counted_apprentices() | indent(4) }}
),

apprentice_rows as (
    select
        apprenticeship_variants.indicator_code,
        apprenticeship_variants.variant_code,
        apprenticeship_variants.period,
        apprenticeship_variants.school_code as unit_code,
        apprenticeship_variants.region_code as unit_region_code,
        'numerator' as role,
        cast(1 as double precision) as amount,
        counted_apprentices.load_id,
        counted_apprentices.source_sheet,
        counted_apprentices.source_row
    from apprenticeship_variants
    inner join counted_apprentices
        on counted_apprentices.load_id = apprenticeship_variants.load_id
),

school_info_rows as (
    -- the figures the 学校信息 row gives: both sides of the practical-hours indicators (compliance: the 1
    -- of a compliant school), and the denominators 在校生数 and 编制员额
    select
        school_contributions.indicator_code,
        school_contributions.variant_code,
        school_contributions.period,
        school_contributions.unit_code,
        school_contributions.unit_region_code,
        'numerator' as role,
        school_contributions.numerator as amount,
        schools.load_id,
        schools.source_sheet,
        schools.source_row
    from school_contributions
    inner join schools
        on schools.period = school_contributions.period
            and schools.load_id = school_contributions.load_id
    where (school_contributions.indicator_code = 'practical_hours_share' and school_contributions.numerator is not null)
        or (school_contributions.indicator_code = 'practical_hours_compliance' and school_contributions.numerator = 1)
    union all
    select
        school_contributions.indicator_code,
        school_contributions.variant_code,
        school_contributions.period,
        school_contributions.unit_code,
        school_contributions.unit_region_code,
        'denominator' as role,
        school_contributions.denominator as amount,
        schools.load_id,
        schools.source_sheet,
        schools.source_row
    from school_contributions
    inner join schools
        on schools.period = school_contributions.period
            and schools.load_id = school_contributions.load_id
    where school_contributions.indicator_code in (
            'apprenticeship_rate', 'part_time_teacher_ratio', 'practical_hours_share',
            'practical_hours_compliance'
        )
        and school_contributions.denominator is not null
),

final as (
    select * from teacher_rows
    union all
    select * from apprentice_rows
    union all
    select * from school_info_rows
)

select * from final
