-- Each region code with itself and the regions containing it (county → city → province), for rollups.
-- Development zones roll up through the city their statistical code belongs to.
with regions as (
    select * from {{ ref('regions') }}
),

final as (
    select
        region_code,
        region_code as ancestor_code
    from regions
    union all
    select
        region_code,
        city_code
    from regions
    where city_code is not null and city_code <> region_code
    union all
    select
        region_code,
        province_code
    from regions
    where province_code is not null and province_code <> region_code
)

select * from final
