-- The spreadsheet rows behind each contribution, with the file they came from: what `chanjiao trace` lists.
with source_rows as (
    select * from {{ ref('int_indicator_source_rows') }}
),

loads as (
    select * from {{ ref('stg_ingest__loads') }}
),

final as (
    select
        source_rows.indicator_code,
        source_rows.variant_code,
        source_rows.period,
        source_rows.unit_code,
        source_rows.unit_region_code as region_code,
        source_rows.role,
        source_rows.load_id,
        loads.file_name,
        loads.sha256,
        loads.archive_path,
        source_rows.source_sheet,
        source_rows.source_row
    from source_rows
    inner join loads
        on loads.load_id = source_rows.load_id
)

select * from final
