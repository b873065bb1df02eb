-- The spreadsheet rows behind every indicator value, for auditors: one row per source row × role ×
-- region whose value it counts in (value_region_code), with the amount it adds to that role. Summing
-- `amount` per role over the rows of one value gives that value's numerator and denominator exactly.
--   role numerator / denominator   amount = 1 for a counted row (a teacher, a graduate, an enterprise,
--                                  a carrier), else the figure the row adds (在校生数, 编制员额, 课时,
--                                  employees, 万元 of funds, 元 per student)
--   role evidence                  amount null: a row that is why a unit counts, not a counted row
--                                  (the cooperation or 参与职教集团=是 return behind a participant; the
--                                  register row that makes a returning enterprise above-scale; the
--                                  学校信息 or frame row giving a carrier's lead school as higher-education)
-- Rows whose role only counts (0 or 1) are listed where they count; rows adding a figure are listed
-- for every unit of the population, 0 included, so a 0 / 0 value shows the returns that made it so.
-- Sum-type indicators count a unit's rows for its county, city and province; locality indicators,
-- finance shares and money per student only for the region they were measured for.
-- No rule is restated here: where a unit has many rows (teachers, apprentices, graduates) they are judged
-- by the macros of macros/indicator_rows.sql, which the contributions count; registers and finance
-- contribute one row per source row and name it; elsewhere the amounts are the contributions themselves.
-- The test assert_source_rows_add_up_to_values holds the rows to the published values on every build;
-- tests/warehouse/test_trace_recompute.py holds them to the files.
with school_contributions as (
    select * from {{ ref('int_school_indicators__contributions') }}
),

schools as (
    select * from {{ ref('int_schools_in_force') }}
),

above_scale as (
    select * from {{ ref('int_above_scale_enterprises_in_force') }}
),

register_rows as (
    select * from {{ ref('int_above_scale_register_rows_in_force') }}
),

active_cooperations as (
    select * from {{ ref('int_cooperations_active') }}
    where is_active_at_period_end
),

returns as (
    select * from {{ ref('int_enterprise_returns_in_force') }}
),

enterprise_contributions as (
    select * from {{ ref('int_enterprise_indicators__contributions') }}
),

register_source_rows as (
    select * from {{ ref('int_register_indicators__contributions') }}
    where unit_type in ('enterprise', 'carrier')
),

finance_source_rows as (
    select * from {{ ref('int_finance_indicators__contributions') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

-- ---- school workbooks (the rules of macros/indicator_rows.sql) ----------------------------------------

teacher_flags as (
    {{ teacher_indicator_rows() | indent(4) }}
),

teacher_rows as (
    select indicator_code, variant_code, period, school_code as unit_code, region_code as unit_region_code,
        'denominator' as role, cast(1 as double precision) as amount, load_id, source_sheet, source_row
    from teacher_flags
    where in_denominator
    union all
    select indicator_code, variant_code, period, school_code, region_code, 'numerator',
        1, load_id, source_sheet, source_row
    from teacher_flags
    where in_numerator
),

apprentice_rows as (
    select
        school_variants.indicator_code, school_variants.variant_code, school_variants.period,
        school_variants.school_code as unit_code, school_variants.region_code as unit_region_code, 'numerator' as role,
        cast(1 as double precision) as amount, apprentices.load_id, apprentices.source_sheet, apprentices.source_row
    from ({{ school_variants(['apprenticeship_rate']) }}) as school_variants
    inner join ({{ counted_apprentices() }}) as apprentices
        on apprentices.load_id = school_variants.load_id
),

school_info_rows as (
    -- the figures the 学校信息 row gives: both sides of the practical-hours indicators (compliance: the 1
    -- of a compliant school), and the denominators 在校生数 and 编制员额
    select school_contributions.indicator_code, school_contributions.variant_code, school_contributions.period,
        school_contributions.unit_code, school_contributions.unit_region_code, 'numerator' as role,
        school_contributions.numerator as amount, schools.load_id, schools.source_sheet, schools.source_row
    from school_contributions
    inner join schools
        on schools.period = school_contributions.period
        and schools.load_id = school_contributions.load_id
    where (school_contributions.indicator_code = 'practical_hours_share' and school_contributions.numerator is not null)
        or (school_contributions.indicator_code = 'practical_hours_compliance' and school_contributions.numerator = 1)
    union all
    select school_contributions.indicator_code, school_contributions.variant_code, school_contributions.period,
        school_contributions.unit_code, school_contributions.unit_region_code, 'denominator',
        school_contributions.denominator, schools.load_id, schools.source_sheet, schools.source_row
    from school_contributions
    inner join schools
        on schools.period = school_contributions.period
        and schools.load_id = school_contributions.load_id
    where school_contributions.indicator_code in ('apprenticeship_rate', 'part_time_teacher_ratio', 'practical_hours_share',
            'practical_hours_compliance')
        and school_contributions.denominator is not null
),

school_rows as (
    select * from teacher_rows
    union all
    select * from apprentice_rows
    union all
    select * from school_info_rows
),

-- ---- graduates: judged again for each region containing the school (indicators.md, example 4) ------

graduates_counted as (
    {{ graduate_indicator_rows() | indent(4) }}
),

graduate_rows as (
    -- the latest record decides both roles, except that 回流's denominator is the earliest 就业 record:
    -- the row showing the graduate started outside the region
    select indicator_code, variant_code, period, school_code as unit_code, school_region_code as unit_region_code,
        measured_region_code as value_region_code, 'numerator' as role, cast(1 as double precision) as amount,
        load_id, source_sheet, source_row
    from graduates_counted
    where in_numerator
    union all
    select indicator_code, variant_code, period, school_code, school_region_code, measured_region_code, 'denominator',
        1, load_id, source_sheet,
        case when indicator_code = 'non_local_return_rate' then earliest_employment_source_row else source_row end
    from graduates_counted
    where in_denominator
),

-- ---- enterprises ------------------------------------------------------------------------------------

participation_rows as (
    select 'above_scale_participation_rate' as indicator_code, 'default' as variant_code, period, uscc as unit_code,
        region_code as unit_region_code, 'denominator' as role, cast(1 as double precision) as amount,
        load_id, source_sheet, source_row
    from above_scale
    union all
    select 'above_scale_participation_rate', 'default', period, uscc, region_code, 'numerator', 1,
        load_id, source_sheet, source_row
    from above_scale
    where takes_part
    union all
    select 'above_scale_participation_rate', 'default', above_scale.period, above_scale.uscc, above_scale.region_code,
        'evidence', null, active_cooperations.load_id, active_cooperations.source_sheet, active_cooperations.source_row
    from above_scale
    inner join active_cooperations
        on active_cooperations.period = above_scale.period
        and active_cooperations.enterprise_uscc = above_scale.uscc
    union all
    select 'above_scale_participation_rate', 'default', period, uscc, region_code,
        'evidence', null, return_load_id, return_source_sheet, return_source_row
    from above_scale
    where in_vocational_group
),

return_amounts as (
    select
        enterprise_contributions.indicator_code,
        enterprise_contributions.variant_code,
        enterprise_contributions.period,
        enterprise_contributions.unit_code,
        enterprise_contributions.unit_region_code,
        enterprise_contributions.numerator,
        enterprise_contributions.denominator,
        -- rates and shares add the return's figures, 0 included; compliance counts only compliant firms
        enterprise_contributions.indicator_code not like '%compliance' as adds_figures,
        returns.load_id,
        returns.source_sheet,
        returns.source_row
    from enterprise_contributions
    inner join returns
        on returns.period = enterprise_contributions.period
        and returns.load_id = enterprise_contributions.load_id
        and returns.uscc = enterprise_contributions.unit_code
),

return_rows as (
    select indicator_code, variant_code, period, unit_code, unit_region_code, 'numerator' as role,
        numerator as amount, load_id, source_sheet, source_row
    from return_amounts
    where adds_figures or numerator <> 0
    union all
    select indicator_code, variant_code, period, unit_code, unit_region_code, 'denominator',
        denominator, load_id, source_sheet, source_row
    from return_amounts
    where adds_figures or denominator <> 0
    union all
    -- internship indicators count above-scale enterprises only: the register row that makes it one
    select distinct return_amounts.indicator_code, return_amounts.variant_code, return_amounts.period, return_amounts.unit_code,
        return_amounts.unit_region_code, 'evidence', cast(null as double precision),
        register_rows.load_id, register_rows.source_sheet, register_rows.source_row
    from return_amounts
    inner join register_rows
        on register_rows.period = return_amounts.period
        and register_rows.uscc = return_amounts.unit_code
    where return_amounts.indicator_code in ('internship_post_ratio', 'internship_post_compliance')
),

-- ---- registers: each counted row is one unit ------------------------------------------------------------

register_counted_rows as (
    select indicator_code, variant_code, period, unit_code, unit_region_code, 'numerator' as role,
        numerator as amount, load_id, source_sheet, source_row
    from register_source_rows
),

lead_school_rows as (
    -- carriers counted for being led by a higher-education school: the row giving that school's stage
    select indicator_code, variant_code, period, unit_code, unit_region_code, 'evidence' as role,
        cast(null as double precision) as amount, stage_load_id, stage_source_sheet, stage_source_row
    from register_source_rows
    where stage_source_row is not null
),

-- ---- finance: each record for every region it counts in; money per student has no denominator ------------

finance_rows as (
    select indicator_code, variant_code, period, unit_code, unit_region_code, measured_region_code as value_region_code,
        'numerator' as role, numerator as amount, load_id, source_sheet, source_row
    from finance_source_rows
    union all
    select indicator_code, variant_code, period, unit_code, unit_region_code, measured_region_code,
        'denominator', denominator, load_id, source_sheet, source_row
    from finance_source_rows
    where indicator_code in ('local_surcharge_ve_share', 'edu_surcharge_ve_share')
),

-- ---- every region a row counts in ----------------------------------------------------------------------

summed as (
    -- sum-type indicators: the unit's county, city and province
    select * from school_rows
    union all
    select * from participation_rows
    union all
    select * from return_rows
    union all
    select * from register_counted_rows
    union all
    select * from lead_school_rows
),

final as (
    select
        summed.indicator_code, summed.variant_code, summed.period, summed.unit_code, summed.unit_region_code,
        ancestors.ancestor_code as value_region_code, summed.role, summed.amount,
        summed.load_id, summed.source_sheet, summed.source_row
    from summed
    inner join ancestors
        on ancestors.region_code = summed.unit_region_code
    union all
    select
        indicator_code, variant_code, period, unit_code, unit_region_code, value_region_code, role, amount,
        load_id, source_sheet, source_row
    from graduate_rows
    union all
    select
        indicator_code, variant_code, period, unit_code, unit_region_code, value_region_code, role, amount,
        load_id, source_sheet, source_row
    from finance_rows
)

select * from final
