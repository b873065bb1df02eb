-- Each target of the seed against the indicator computed with the target's variant, per period.
-- A target past its deadline is judged on the latest value and, separately, on the value at the
-- deadline year's December.
with targets as (
    select * from {{ ref('int_targets') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
),

joined as (
    select
        targets.*,
        periods.period,
        latest.value,
        latest.status as value_status,
        at_deadline.value as value_at_deadline,
        at_deadline.status as value_status_at_deadline
    from targets
    cross join periods
    left join indicator_values as latest
        on latest.indicator_code = targets.indicator_code
            and latest.variant_code = targets.variant_code
            and latest.region_code = targets.jurisdiction_code
            and latest.period = periods.period
    left join indicator_values as at_deadline
        on at_deadline.indicator_code = targets.indicator_code
            and at_deadline.variant_code = targets.variant_code
            and at_deadline.region_code = targets.jurisdiction_code
            and at_deadline.period = targets.by_year || '-12'
),

final as (
    select
        target_id,
        period,
        jurisdiction_code,
        jurisdiction_name,
        indicator_code,
        variant_code,
        kind,
        comparator,
        cast(lower as double precision) as lower,
        cast(upper as double precision) as upper,
        by_year,
        value as variant_value,
        {{ target_status('kind', 'value', 'value_status', 'comparator', 'lower', 'upper') }} as status,
        case
            when by_year is null then null
            when by_year = 'unknown' then 'unknown'
            when cast(substr(period, 1, 4) as integer) <= cast(by_year as integer) then 'due'
            else 'past_due'
        end as deadline_state,
        value_at_deadline,
        case
            when
                by_year is null or by_year = 'unknown' or cast(substr(period, 1, 4) as integer) <= cast(by_year as integer)
                then null
            else {{ target_status('kind', 'value_at_deadline', 'value_status_at_deadline', 'comparator', 'lower', 'upper') }}
        end as status_at_deadline,
        source_document,
        clause,
        source_quality
    from joined
)

select * from final
