with source as (
    select * from {{ source('schools', 'graduate_destinations') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        school_code,
        student_id_hash,
        cast(graduation_year as integer) as graduation_year,
        destination_type,
        employer_uscc,
        employer_region_code,
        employer_type,
        cast(survey_date as date) as survey_date
    from source
)

select * from renamed
