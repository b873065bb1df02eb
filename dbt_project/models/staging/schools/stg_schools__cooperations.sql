with source as (
    select * from {{ source('schools', 'cooperations') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        school_code,
        enterprise_uscc,
        enterprise_name,
        cooperation_type,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date
    from source
)

select * from renamed
