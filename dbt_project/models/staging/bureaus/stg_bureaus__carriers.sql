with source as (
    select * from {{ source('bureaus', 'carriers') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        carrier_id,
        carrier_type,
        carrier_name,
        region_code,
        level,
        {{ level_rank('level') }} as level_rank,
        is_high_level,
        lead_school_code,
        lead_uscc,
        cast(established_on as date) as established_on,
        cast(closed_on as date) as closed_on,
        period as register_period
    from source
)

select * from renamed
