with indicators as (
    select * from {{ ref('indicators') }}
),

final as (
    select
        indicator_code,
        name_zh,
        numerator_definition,
        denominator_definition,
        unit,
        indicator_type,
        is_headline,
        rollup,
        definition_source,
        numerator_definition_zh,
        denominator_definition_zh
    from indicators
)

select * from final
