with source as (
    select * from {{ source('bureaus', 'above_scale_enterprises') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        uscc,
        enterprise_name,
        region_code,
        industry_code,
        period as register_period
    from source
)

select * from renamed
