-- The register rows behind the register counts: each counted row is one unit (the numerator, 1), and for a
-- carrier counted for being led by a higher-education school the row giving that school's stage is its
-- evidence. The zero rows of a register's covered regions name no source row and are not listed.
with register_contributions as (
    select * from {{ ref('int_register_indicators__contributions') }}
    where unit_type in ('enterprise', 'carrier')
),

counted_rows as (
    select
        indicator_code,
        variant_code,
        period,
        unit_code,
        unit_region_code,
        'numerator' as role,
        numerator as amount,
        load_id,
        source_sheet,
        source_row
    from register_contributions
),

lead_school_rows as (
    -- carriers counted for being led by a higher-education school: the row giving that school's stage
    select
        indicator_code,
        variant_code,
        period,
        unit_code,
        unit_region_code,
        'evidence' as role,
        cast(null as double precision) as amount,
        stage_load_id,
        stage_source_sheet,
        stage_source_row
    from register_contributions
    where stage_source_row is not null
),

final as (
    select * from counted_rows
    union all
    select * from lead_school_rows
)

select * from final
