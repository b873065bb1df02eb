-- Contacts stay out: the frame's names, phones and e-mails are only hashed in raw and not selected here.
with source as (
    select * from {{ source('bureaus', 'reporting_frame') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        submitter_code,
        submitter_name,
        kind,
        region_code,
        school_level,
        affiliation,
        from_period,
        to_period
    from source
)

select * from renamed
