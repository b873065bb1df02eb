-- Every published value is exactly what its listed source rows add up to: the amounts of
-- fct_indicator_source_row summed per role give fct_indicator_value's numerator and denominator.
-- The rules live once (macros/indicator_rows.sql and the contributions models); this guards the
-- listing and the aggregation against drifting apart, before a trace could show rows that do not
-- make the number.
-- Returns the values that do not add up.
with source_rows as (
    select
        indicator_code,
        variant_code,
        period,
        value_region_code as region_code,
        sum(case when role = 'numerator' then amount else 0 end) as numerator,
        sum(case when role = 'denominator' then amount else 0 end) as denominator
    from {{ ref('fct_indicator_source_row') }}
    group by indicator_code, variant_code, period, value_region_code
),

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
),

final as (
    select
        indicator_values.indicator_code,
        indicator_values.variant_code,
        indicator_values.period,
        indicator_values.region_code,
        indicator_values.numerator,
        source_rows.numerator as numerator_from_rows,
        indicator_values.denominator,
        source_rows.denominator as denominator_from_rows
    from indicator_values
    left join source_rows
        on source_rows.indicator_code = indicator_values.indicator_code
            and source_rows.variant_code = indicator_values.variant_code
            and source_rows.period = indicator_values.period
            and source_rows.region_code = indicator_values.region_code
    where abs(coalesce(indicator_values.numerator, 0) - coalesce(source_rows.numerator, 0))
        > 1e-6 * greatest(1, abs(coalesce(indicator_values.numerator, 0)))
        or abs(coalesce(indicator_values.denominator, 0) - coalesce(source_rows.denominator, 0))
        > 1e-6 * greatest(1, abs(coalesce(indicator_values.denominator, 0)))
)

select * from final
