-- Above-scale enterprises of the registers in force for each period, with whether each takes part
-- in vocational education: >= 1 cooperation active at period end in any school's workbook in force.
-- (The enterprise return's 是否参与职教集团 joins this when enterprise returns are read.)
with in_force as (
    select * from {{ ref('int_loads_in_force') }}
    where kind = 'above_scale_register'
),

register_rows as (
    select * from {{ ref('stg_bureaus__above_scale_enterprises') }}
),

active_cooperations as (
    select * from {{ ref('int_cooperations_active') }}
    where is_active_at_period_end
),

enterprises as (
    select
        in_force.period,
        register_rows.load_id,
        register_rows.source_sheet,
        register_rows.source_row,
        register_rows.uscc,
        register_rows.enterprise_name,
        register_rows.region_code,
        register_rows.industry_code
    from in_force
    inner join register_rows
        on register_rows.load_id = in_force.load_id
),

participating as (
    select distinct
        period,
        enterprise_uscc as uscc
    from active_cooperations
),

final as (
    select
        enterprises.*,
        participating.uscc is not null as takes_part
    from enterprises
    left join participating
        on participating.period = enterprises.period
        and participating.uscc = enterprises.uscc
)

select * from final
