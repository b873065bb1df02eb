-- Above-scale enterprises of the registers in force for each period, with whether each takes part in
-- vocational education: >= 1 cooperation active at period end in any school's workbook in force, or
-- 是否参与职教集团 = 是 in its return for P.
with register_rows as (
    select * from {{ ref('int_above_scale_register_rows_in_force') }}
),

active_cooperations as (
    select * from {{ ref('int_cooperations_active') }}
    where is_active_at_period_end
),

returns as (
    select * from {{ ref('int_enterprise_returns_in_force') }}
),

cooperating as (
    select distinct
        period,
        enterprise_uscc as uscc
    from active_cooperations
),

final as (
    select
        register_rows.period,
        register_rows.load_id,
        register_rows.source_sheet,
        register_rows.source_row,
        register_rows.uscc,
        register_rows.enterprise_name,
        register_rows.region_code,
        register_rows.industry_code,
        cooperating.uscc is not null as has_active_cooperation,
        coalesce(returns.in_vocational_group, false) as in_vocational_group,
        cooperating.uscc is not null or coalesce(returns.in_vocational_group, false) as takes_part,
        returns.load_id as return_load_id,
        returns.source_sheet as return_source_sheet,
        returns.source_row as return_source_row
    from register_rows
    left join cooperating
        on cooperating.period = register_rows.period
            and cooperating.uscc = register_rows.uscc
    left join returns
        on returns.period = register_rows.period
            and returns.uscc = register_rows.uscc
)

select * from final
