-- Locality indicators are re-evaluated at each level, never summed from the level below
-- (indicators.md, worked example 4): each graduate is judged once per region R containing the school,
-- "local" meaning the employer's region lies inside R — or inside the target's scope_region if it sets one.
-- Contributions therefore carry the region they were measured for.
--   graduate_local_employment_rate         就业 at a 企业 located locally / cohort-Y graduates
--   graduate_local_direct_employment_rate  就业 or 自主创业 locally / cohort-Y graduates minus 升学, 入伍
--   graduate_retention_rate                就业 or 自主创业 locally (any employer type) / cohort-Y graduates
--   non_local_return_rate                  earliest 就业 outside R and latest 就业 inside R / earliest 就业 outside R (any cohort)
-- Every school with a workbook in force contributes, even one with no graduates of the cohort (a new
-- school): its workbook is the submission the indicator needs, so its region reads 0 of 0,
-- not_computable — not no_data, which means that no submission is in force.
with schools as (
    select * from {{ ref('int_schools_in_force') }}
),

graduates as (
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
    -- each school of the variant's population, once per region containing it
    select
        schools.period,
        {{ cohort_year('schools.period') }} as cohort_year,
        schools.school_code,
        schools.region_code as school_region_code,
        schools.load_id,
        ancestors.ancestor_code as measured_region_code,
        variants.indicator_code,
        variants.variant_code,
        coalesce(variants.scope_region, ancestors.ancestor_code) as local_region_code
    from schools
    inner join ancestors
        on ancestors.region_code = schools.region_code
    inner join variants
        on variants.population not in ('secondary_schools', 'higher_schools')
        or (variants.population = 'secondary_schools' and schools.school_stage = 'secondary')
        or (variants.population = 'higher_schools' and schools.school_stage = 'higher')
),

judged as (
    -- its graduates, if any, with where their latest and their earliest 就业 record place them
    select
        measured.*,
        graduates.student_id_hash,
        graduates.graduation_year,
        graduates.destination_type,
        graduates.employer_type,
        graduates.employer_region_code,
        graduates.earliest_employment_region_code,
        latest_local.ancestor_code is not null as is_local,
        graduates.earliest_employment_region_code is not null and earliest_local.ancestor_code is null as started_outside
    from measured
    left join graduates
        on graduates.period = measured.period
        and graduates.load_id = measured.load_id
    left join ancestors as latest_local
        on latest_local.region_code = graduates.employer_region_code
        and latest_local.ancestor_code = measured.local_region_code
    left join ancestors as earliest_local
        on earliest_local.region_code = graduates.earliest_employment_region_code
        and earliest_local.ancestor_code = measured.local_region_code
),

followed as (
    -- the graduates each indicator follows: the cohort, or for 回流 any cohort still reported
    select
        *,
        student_id_hash is not null
            and (indicator_code = 'non_local_return_rate' or graduation_year = cohort_year) as is_followed
    from judged
),

counted as (
    select
        *,
        is_followed and case indicator_code
            when 'graduate_local_employment_rate' then destination_type = '就业' and employer_type = '企业' and is_local
            when 'non_local_return_rate' then started_outside and destination_type = '就业' and is_local
            else destination_type in ('就业', '自主创业') and is_local
        end as in_numerator,
        is_followed and case indicator_code
            when 'graduate_local_direct_employment_rate' then destination_type not in ('升学', '入伍')
            when 'non_local_return_rate' then started_outside
            else true
        end as in_denominator
    from followed
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
