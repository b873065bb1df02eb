-- The ways each indicator is computed: its default, and every variant a target of the seed asks for.
-- A new target row with a new population, scope, rule or band is computed with no model changed.
with targets as (
    select * from {{ ref('int_targets') }}
),

indicators as (
    select * from {{ ref('indicators') }}
),

defaults as (
    -- teacher_practice_compliance without a target: full-time professional teachers, >= 30 days in 12
    -- months (indicators.md). training_fund_extraction_compliance without a target: the national band
    -- of 1.5–2.5% of the wage bill (our decision; every target in the seed names its own band).
    select
        indicator_code,
        'default' as variant_code,
        case when indicator_code = 'teacher_practice_compliance' then 'fulltime_professional_teachers' else 'all' end
            as population,
        cast(null as varchar) as scope_region,
        case when indicator_code = 'teacher_practice_compliance' then 30 end as rule_days,
        case when indicator_code = 'teacher_practice_compliance' then 12 end as rule_window_months,
        case when indicator_code = 'training_fund_extraction_compliance' then 1.5 end as band_lower,
        case when indicator_code = 'training_fund_extraction_compliance' then 2.5 end as band_upper
    from indicators
),

from_targets as (
    select distinct
        indicator_code,
        variant_code,
        coalesce(population, 'all') as population,
        scope_region,
        rule_days,
        rule_window_months,
        band_lower,
        band_upper
    from targets
    where variant_code <> 'default'
),

final as (
    select * from defaults
    union all
    select * from from_targets
)

select * from final
