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

valued as (
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
        cast(coverage.coverage_accepted as integer) as coverage_accepted,
        -- the region a value rolls up into next: a county's city (its province where it has none), a city's province
        case
            when regions.city_code is not null and regions.city_code <> rolled_up.region_code then regions.city_code
            when regions.province_code is not null and regions.province_code <> rolled_up.region_code then regions.province_code
        end as parent_code,
        -- interface.md, small cells: a value from fewer than N reporting units (schools or enterprises;
        -- registers and bureau returns are no reporting units) discloses what those units reported
        rolled_up.units > 0 and rolled_up.units < {{ var('small_cell_units') }} as small_cell
    from rolled_up
    inner join regions
        on regions.region_code = rolled_up.region_code
    inner join indicators
        on indicators.indicator_code = rolled_up.indicator_code
    left join coverage
        on coverage.indicator_code = rolled_up.indicator_code
            and coverage.period = rolled_up.period
            and coverage.region_code = rolled_up.region_code
),

-- A withheld child must not be recoverable as its published parent minus its other children: where a
-- published parent has exactly one small child, the child with the fewest units among the others is
-- withheld too (complementary suppression, per level, so every group ends with none or two or more).
small_children as (
    select
        indicator_code,
        variant_code,
        period,
        parent_code,
        count(case when small_cell then 1 end) as small
    from valued
    where parent_code is not null
    group by indicator_code, variant_code, period, parent_code
),

complementary as (
    select
        child.indicator_code,
        child.variant_code,
        child.period,
        child.region_code,
        row_number() over (
            partition by child.indicator_code, child.variant_code, child.period, child.parent_code
            order by child.units, child.region_code
        ) as pick
    from valued as child
    inner join small_children
        on small_children.indicator_code = child.indicator_code
            and small_children.variant_code = child.variant_code
            and small_children.period = child.period
            and small_children.parent_code = child.parent_code
    inner join valued as parent
        on parent.indicator_code = child.indicator_code
            and parent.variant_code = child.variant_code
            and parent.period = child.period
            and parent.region_code = child.parent_code
    where small_children.small = 1 and not child.small_cell and not parent.small_cell
),

-- A province's current cities (no development zone, not abolished): a province value built from part
-- of them is provisional even where no reporting frame says so (interface.md)
province_cities as (
    select
        province_code as region_code,
        count(*) as cities
    from regions
    where region_level = 'city' and not coalesce(is_dev_zone, false) and valid_to_year is null
    group by province_code
),

contributing_cities as (
    select
        indicator_code,
        variant_code,
        period,
        parent_code as region_code,
        count(*) as cities
    from valued
    where region_level = 'city'
    group by indicator_code, variant_code, period, parent_code
),

final as (
    select
        valued.indicator_code,
        valued.variant_code,
        valued.region_code,
        valued.region_name,
        valued.region_level,
        valued.period,
        valued.cohort_year,
        valued.numerator,
        valued.denominator,
        valued.value,
        valued.unit,
        valued.status,
        valued.units,
        valued.coverage_expected,
        valued.coverage_accepted,
        valued.small_cell,
        valued.small_cell or complementary.region_code is not null as withheld,
        case
            when valued.small_cell then 'small_cell'
            when complementary.region_code is not null then 'complementary'
        end as withheld_reason,
        coalesce(valued.coverage_accepted < valued.coverage_expected, false)
        or coalesce(valued.region_level = 'province' and coalesce(contributing_cities.cities, 0) < province_cities.cities, false)
            as provisional
    from valued
    left join complementary
        on complementary.indicator_code = valued.indicator_code
            and complementary.variant_code = valued.variant_code
            and complementary.period = valued.period
            and complementary.region_code = valued.region_code
            and complementary.pick = 1
    left join province_cities
        on province_cities.region_code = valued.region_code
    left join contributing_cities
        on contributing_cities.indicator_code = valued.indicator_code
            and contributing_cities.variant_code = valued.variant_code
            and contributing_cities.period = valued.period
            and contributing_cities.region_code = valued.region_code
)

select * from final
