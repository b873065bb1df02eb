-- The spreadsheet rows behind each indicator value, with the file they came from: what `chanjiao trace`
-- lists. The rows of one value are those with its indicator, variant, period and value_region_code;
-- their amounts summed per role are its numerator and denominator.
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
        source_rows.value_region_code,
        source_rows.role,
        cast(source_rows.amount as double precision) as amount,
        source_rows.unit_code,
        source_rows.unit_region_code as region_code,
        source_rows.load_id,
        loads.file_name,
        loads.sha256,
        loads.archive_path,
        source_rows.source_sheet,
        cast(source_rows.source_row as integer) as source_row
    from source_rows
    inner join loads
        on loads.load_id = source_rows.load_id
)

select * from final
