-- Every indicator's per-unit numerators and denominators, one row per unit × load × variant × period.
with dual_teacher_ratio as (
    select * from {{ ref('int_dual_teacher_ratio__contributions') }}
),

above_scale_participation_rate as (
    select * from {{ ref('int_above_scale_participation_rate__contributions') }}
),

final as (
    select * from dual_teacher_ratio
    union all
    select * from above_scale_participation_rate
)

select * from final
