with regions as (
    select * from {{ ref('regions') }}
),

final as (
    select
        region_code,
        region_name,
        region_level,
        parent_code,
        city_code,
        province_code,
        valid_from_year,
        valid_to_year,
        is_dev_zone
    from regions
)

select * from final
