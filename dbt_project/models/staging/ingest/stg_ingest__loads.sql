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
        row_count
    from source
)

select * from renamed
