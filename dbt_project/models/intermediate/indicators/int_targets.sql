-- The targets seed with a stable id and the variant code that names how the indicator is computed.
with targets as (
    select * from {{ ref('targets') }}
),

final as (
    select
        -- numbers enter the id as integers in thousandths: DuckDB and PostgreSQL print doubles differently
        md5(concat_ws('|', jurisdiction_code, indicator_code, kind, comparator,
            cast(round(lower * 1000) as bigint), cast(round(upper * 1000) as bigint), by_year, population, scope_region,
            rule_days, rule_window_months, cast(round(band_lower * 1000) as bigint), cast(round(band_upper * 1000) as bigint))) as target_id,
        targets.*,
        case
            when coalesce(population, 'all') = 'all'
                and scope_region is null and rule_days is null and band_lower is null and band_upper is null
                then 'default'
            else concat_ws(';',
                case when coalesce(population, 'all') <> 'all' then 'population=' || population end,
                case when scope_region is not null then 'scope=' || scope_region end,
                case when rule_days is not null then 'rule=' || rule_days || 'd/' || rule_window_months || 'm' end,
                case when band_lower is not null or band_upper is not null
                    then 'band=' || coalesce({{ plain_number('band_lower') }}, '') || '..' || coalesce({{ plain_number('band_upper') }}, '') end
            )
        end as variant_code
    from targets
)

select * from final
