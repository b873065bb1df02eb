-- The targets seed with a stable id and the variant code that names how the indicator is computed.
with targets as (
    select * from {{ ref('targets') }}
),

final as (
    select
        -- numbers enter the id as integers in thousandths: DuckDB and PostgreSQL print doubles differently
        md5(concat_ws(
            '|', targets.jurisdiction_code, targets.indicator_code, targets.kind, targets.comparator,
            cast(round(targets.lower * 1000) as bigint),
            cast(round(targets.upper * 1000) as bigint),
            targets.by_year,
            targets.population,
            targets.scope_region,
            targets.rule_days,
            targets.rule_window_months,
            cast(round(targets.band_lower * 1000) as bigint),
            cast(round(targets.band_upper * 1000) as bigint)
        )) as target_id,
        targets.*,
        case
            when coalesce(targets.population, 'all') = 'all'
                and targets.scope_region is null
                and targets.rule_days is null
                and targets.band_lower is null
                and targets.band_upper is null
                then 'default'
            else concat_ws(
                    ';',
                    case when coalesce(targets.population, 'all') <> 'all' then 'population=' || targets.population end,
                    case when targets.scope_region is not null then 'scope=' || targets.scope_region end,
                    case
                        when
                            targets.rule_days is not null
                            then 'rule=' || targets.rule_days || 'd/' || targets.rule_window_months || 'm'
                    end,
                    case when targets.band_lower is not null or targets.band_upper is not null
                            then 'band='
                                || coalesce({{ plain_number('band_lower') }}, '')
                                || '..'
                                || coalesce({{ plain_number('band_upper') }}, '')
                    end
                )
        end as variant_code
    from targets
)

select * from final
