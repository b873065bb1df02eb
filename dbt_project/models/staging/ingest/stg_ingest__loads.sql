with source as (
    select * from {{ source('ingest', 'loads') }}
),

renamed as (
    select
        load_id,
        sha256,
        file_name,
        archive_path,
        kind,
        submitter,
        region_code,
        period,
        received_at,
        ingested_at,
        status,
        row_count,
        cast(reasons as varchar) as reasons,
        cast(validation as varchar) as validation,
        code_version
    from source
)

select * from renamed
