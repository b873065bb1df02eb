with contributions as (
    select * from {{ ref('int_indicator_contributions') }}
),

loads as (
    select * from {{ ref('stg_ingest__loads') }}
),

final as (
    select
        contributions.indicator_code,
        contributions.variant_code,
        contributions.period,
        contributions.unit_type,
        contributions.unit_code,
        contributions.unit_region_code as region_code,
        contributions.measured_region_code,
        contributions.cohort_year,
        contributions.load_id,
        loads.sha256,
        loads.file_name,
        loads.received_at,
        contributions.numerator,
        contributions.denominator
    from contributions
    inner join loads
        on loads.load_id = contributions.load_id
)

select * from final
