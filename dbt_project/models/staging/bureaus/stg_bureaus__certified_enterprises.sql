with source as (
    select * from {{ source('bureaus', 'certified_enterprises') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        uscc,
        enterprise_name,
        region_code,
        level,
        {{ level_rank('level') }} as level_rank,
        cast(certified_on as date) as certified_on,
        cast(valid_until as date) as valid_until,
        period as register_period
    from source
)

select * from renamed
