-- One row per enterprise known from a register in force: its details from the most recent period.
with enterprises as (
    select * from {{ ref('int_above_scale_enterprises_in_force') }}
),

ranked as (
    select
        *,
        row_number() over (partition by uscc order by period desc) as recency
    from enterprises
),

final as (
    select
        uscc,
        enterprise_name,
        region_code,
        industry_code,
        true as is_above_scale,
        period as last_period
    from ranked
    where recency = 1
)

select * from final
