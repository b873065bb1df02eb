-- Ratios are sum(numerator) / sum(denominator) over the units inside the region, at every level
-- (county, city, province) — never an average of unit ratios. Contributions measured for one region
-- (locality indicators, finance, money per student) count only there. Counts are the sum of the
-- numerators. Values stay unrounded here; rounding (half away from zero, 2 decimals) happens only on output.
with contributions as (
    select * from {{ ref('int_indicator_contributions') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

regions as (
    select * from {{ ref('regions') }}
),

indicators as (
    select * from {{ ref('indicators') }}
),

coverage as (
    select * from {{ ref('int_indicator_coverage') }}
),

rolled_up as (
    select
        contributions.indicator_code,
        contributions.variant_code,
        contributions.period,
        ancestors.ancestor_code as region_code,
        max(contributions.cohort_year) as cohort_year,
        -- summed as exact decimals: a double sum depends on the order rows arrive in, which a
        -- parallel build varies, and a release rebuilt from the archive must be byte-identical
        cast(sum(cast(contributions.numerator as decimal(38, 6))) as double precision) as numerator,
        cast(sum(cast(contributions.denominator as decimal(38, 6))) as double precision) as denominator,
        count(distinct case when contributions.unit_type <> 'register' then contributions.unit_code end) as units
    from contributions
    inner join ancestors
        on ancestors.region_code = contributions.unit_region_code
    where contributions.measured_region_code is null or contributions.measured_region_code = ancestors.ancestor_code
    group by contributions.indicator_code, contributions.variant_code, contributions.period, ancestors.ancestor_code
),

final as (
    select
        rolled_up.indicator_code,
        rolled_up.variant_code,
        rolled_up.region_code,
        regions.region_name,
        regions.region_level,
        rolled_up.period,
        cast(rolled_up.cohort_year as integer) as cohort_year,
        cast(rolled_up.numerator as double precision) as numerator,
        cast(rolled_up.denominator as double precision) as denominator,
        -- double precision on both targets: PostgreSQL would otherwise return numeric
        cast(case
            when indicators.unit <> '%' then rolled_up.numerator
            when rolled_up.denominator <> 0 then 100.0 * rolled_up.numerator / rolled_up.denominator
        end as double precision) as value,
        indicators.unit,
        case when indicators.unit = '%' and coalesce(rolled_up.denominator, 0) = 0 then 'not_computable' else 'ok' end as status,
        cast(rolled_up.units as integer) as units,
        cast(coverage.coverage_expected as integer) as coverage_expected,
        cast(coverage.coverage_accepted as integer) as coverage_accepted
    from rolled_up
    inner join regions
        on regions.region_code = rolled_up.region_code
    inner join indicators
        on indicators.indicator_code = rolled_up.indicator_code
    left join coverage
        on coverage.indicator_code = rolled_up.indicator_code
            and coverage.period = rolled_up.period
            and coverage.region_code = rolled_up.region_code
)

select * from final
