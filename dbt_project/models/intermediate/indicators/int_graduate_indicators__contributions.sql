-- Locality indicators are re-evaluated at each level, never summed from the level below
-- (indicators.md, worked example 4): each graduate is judged once per region R containing the school,
-- "local" meaning the employer's region lies inside R — or inside the target's scope_region if it sets one.
-- Contributions therefore carry the region they were measured for.
--   graduate_local_employment_rate         就业 at a 企业 located locally / cohort-Y graduates
--   graduate_local_direct_employment_rate  就业 or 自主创业 locally / cohort-Y graduates minus 升学, 入伍
--   graduate_retention_rate                就业 or 自主创业 locally (any employer type) / cohort-Y graduates
--   non_local_return_rate                  earliest 就业 outside R and latest 就业 inside R / earliest 就业 outside R (any cohort)
with graduates as (
    select * from {{ ref('int_graduates_latest_destination') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

variants as (
    select * from {{ ref('int_indicator_variants') }}
    where indicator_code in ('graduate_local_employment_rate', 'graduate_local_direct_employment_rate',
        'graduate_retention_rate', 'non_local_return_rate')
),

measured as (
    select
        graduates.*,
        ancestors.ancestor_code as measured_region_code,
        variants.indicator_code,
        variants.variant_code,
        coalesce(variants.scope_region, ancestors.ancestor_code) as local_region_code
    from graduates
    inner join ancestors
        on ancestors.region_code = graduates.school_region_code
    inner join variants
        on variants.population not in ('secondary_schools', 'higher_schools')
        or (variants.population = 'secondary_schools' and graduates.school_stage = 'secondary')
        or (variants.population = 'higher_schools' and graduates.school_stage = 'higher')
),

judged as (
    select
        measured.*,
        latest_local.ancestor_code is not null as is_local,
        measured.earliest_employment_region_code is not null and earliest_local.ancestor_code is null as started_outside
    from measured
    left join ancestors as latest_local
        on latest_local.region_code = measured.employer_region_code
        and latest_local.ancestor_code = measured.local_region_code
    left join ancestors as earliest_local
        on earliest_local.region_code = measured.earliest_employment_region_code
        and earliest_local.ancestor_code = measured.local_region_code
),

counted as (
    select
        *,
        case indicator_code
            when 'graduate_local_employment_rate' then destination_type = '就业' and employer_type = '企业' and is_local
            when 'non_local_return_rate' then started_outside and destination_type = '就业' and is_local
            else destination_type in ('就业', '自主创业') and is_local
        end as in_numerator,
        case indicator_code
            when 'graduate_local_direct_employment_rate' then destination_type not in ('升学', '入伍')
            when 'non_local_return_rate' then started_outside
            else true
        end as in_denominator
    from judged
    where indicator_code = 'non_local_return_rate' or graduation_year = cohort_year
),

final as (
    select
        indicator_code,
        variant_code,
        period,
        'school' as unit_type,
        school_code as unit_code,
        school_region_code as unit_region_code,
        measured_region_code,
        case when indicator_code = 'non_local_return_rate' then cast(null as integer) else cohort_year end as cohort_year,
        load_id,
        cast(sum(case when in_numerator then 1 else 0 end) as double precision) as numerator,
        cast(sum(case when in_denominator then 1 else 0 end) as double precision) as denominator
    from counted
    group by indicator_code, variant_code, period, school_code, school_region_code, measured_region_code,
        case when indicator_code = 'non_local_return_rate' then cast(null as integer) else cohort_year end, load_id
)

select * from final
