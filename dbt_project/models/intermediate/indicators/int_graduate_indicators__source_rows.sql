-- The 毕业生去向 rows behind the graduate (locality) indicators, judged again for each region containing
-- the school (indicators.md, worked example 4) by macros/indicator_rows.sql's graduate_indicator_rows,
-- which int_graduate_indicators__contributions counts. The latest record decides both roles, except that
-- 回流's denominator is the earliest 就业 record: the row showing the graduate started outside the region.
-- Each row names the region it counts in (value_region_code = the region measured).
with graduates_counted as (
    {{ graduate_indicator_rows() | indent(4) }}
),

final as (
    select
        indicator_code,
        variant_code,
        period,
        school_code as unit_code,
        school_region_code as unit_region_code,
        measured_region_code as value_region_code,
        'numerator' as role,
        cast(1 as double precision) as amount,
        load_id,
        source_sheet,
        source_row
    from graduates_counted
    where in_numerator
    union all
    select
        indicator_code,
        variant_code,
        period,
        school_code as unit_code,
        school_region_code as unit_region_code,
        measured_region_code as value_region_code,
        'denominator' as role,
        1 as amount,
        load_id,
        source_sheet,
        case when indicator_code = 'non_local_return_rate' then earliest_employment_source_row else source_row end as source_row
    from graduates_counted
    where in_denominator
)

select * from final
