-- above_scale_participation_rate per enterprise of the register in force: 1/1 when it takes part, 0/1 otherwise.
with enterprises as (
    select * from {{ ref('int_above_scale_enterprises_in_force') }}
),

final as (
    select
        'above_scale_participation_rate' as indicator_code,
        'default' as variant_code,
        period,
        'enterprise' as unit_type,
        uscc as unit_code,
        region_code as unit_region_code,
        cast(null as varchar) as measured_region_code,
        cast(null as integer) as cohort_year,
        load_id,
        cast(case when takes_part then 1 else 0 end as double precision) as numerator,
        cast(1 as double precision) as denominator
    from enterprises
)

select * from final
