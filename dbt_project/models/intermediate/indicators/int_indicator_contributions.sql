-- Every indicator's per-unit numerators and denominators, one row per unit × load × variant × period
-- (× measured region for the indicators re-evaluated at each level).
with schools as (
    select * from {{ ref('int_school_indicators__contributions') }}
),

graduates as (
    select * from {{ ref('int_graduate_indicators__contributions') }}
),

enterprises as (
    select * from {{ ref('int_enterprise_indicators__contributions') }}
),

participation as (
    select * from {{ ref('int_above_scale_participation_rate__contributions') }}
),

registers as (
    select * from {{ ref('int_register_indicators__contributions') }}
),

finance as (
    select * from {{ ref('int_finance_indicators__contributions') }}
),

final as (
    select * from schools
    union all select * from graduates
    union all select * from enterprises
    union all select * from participation
    union all select * from registers
    union all select * from finance
)

select * from final
