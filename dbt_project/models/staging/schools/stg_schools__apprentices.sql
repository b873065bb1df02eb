with source as (
    select * from {{ source('schools', 'apprentices') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        school_code,
        student_id_hash,
        major,
        apprenticeship_type,
        enterprise_uscc,
        cast(agreement_date as date) as agreement_date,
        status
    from source
)

select * from renamed
