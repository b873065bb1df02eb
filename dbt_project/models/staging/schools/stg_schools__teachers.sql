with source as (
    select * from {{ source('schools', 'teachers') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        school_code,
        teacher_id_hash,
        is_professional,
        is_dual_qualified,
        employment_type,
        employment_type = '专任' as is_full_time,
        source_enterprise_uscc,
        cast(practice_days_12m as integer) as practice_days_12m,
        cast(practice_days_24m as integer) as practice_days_24m,
        coalesce(is_integrated, false) as is_integrated
    from source
)

select * from renamed
