-- Locality indicators are re-evaluated at each level, never summed from the level below
-- (indicators.md, worked example 4): each graduate is judged once per region R containing the school,
-- "local" meaning the employer's region lies inside R — or inside the target's scope_region if it sets one.
-- Contributions therefore carry the region they were measured for. The rules (which graduate counts for
-- which indicator and role) are macros/indicator_rows.sql's graduate_indicator_rows, which
-- int_graduate_indicators__source_rows lists; here each school's rows are counted.
-- Every school with a workbook in force contributes, even one with no graduates of the cohort (a new
-- school): its workbook is the submission the indicator needs, so its region reads 0 of 0,
-- not_computable — not no_data, which means that no submission is in force.
with counted as (
    {{ graduate_indicator_rows() | indent(4) }}
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
    group by
        indicator_code, variant_code, period, school_code, school_region_code, measured_region_code,
        case when indicator_code = 'non_local_return_rate' then cast(null as integer) else cohort_year end, load_id
)

select * from final
