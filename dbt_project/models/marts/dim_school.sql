-- One row per school: its details from its most recent workbook in force.
with schools as (
    select * from {{ ref('int_schools_in_force') }}
),

ranked as (
    select
        *,
        row_number() over (partition by school_code order by period desc) as recency
    from schools
),

final as (
    select
        school_code,
        school_name,
        region_code,
        school_level,
        school_stage,
        period as last_period
    from ranked
    where recency = 1
)

select * from final
