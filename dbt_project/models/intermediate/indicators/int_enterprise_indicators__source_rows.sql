-- The rows behind the enterprise indicators: for above_scale_participation_rate each register row (the
-- denominator; the numerator when the firm takes part) and the evidence why it takes part (a cooperation
-- active at period end, or its return saying 参与职教集团=是); for the return indicators the return row's
-- figures (rates and shares, 0 included; compliance only the 1 of a compliant firm) and, for the
-- internship indicators, the register row that makes the firm above-scale. One row per source row × role.
with above_scale as (
    select * from {{ ref('int_above_scale_enterprises_in_force') }}
),

register_rows as (
    select * from {{ ref('int_above_scale_register_rows_in_force') }}
),

active_cooperations as (
    select * from {{ ref('int_cooperations_active') }}
    where is_active_at_period_end
),

returns as (
    select * from {{ ref('int_enterprise_returns_in_force') }}
),

enterprise_contributions as (
    select * from {{ ref('int_enterprise_indicators__contributions') }}
),

participation_rows as (
    select
        'above_scale_participation_rate' as indicator_code,
        'default' as variant_code,
        period,
        uscc as unit_code,
        region_code as unit_region_code,
        'denominator' as role,
        cast(1 as double precision) as amount,
        load_id,
        source_sheet,
        source_row
    from above_scale
    union all
    select
        'above_scale_participation_rate' as indicator_code,
        'default' as variant_code,
        period,
        uscc,
        region_code,
        'numerator' as role,
        1 as amount,
        load_id,
        source_sheet,
        source_row
    from above_scale
    where takes_part
    union all
    select
        'above_scale_participation_rate' as indicator_code,
        'default' as variant_code,
        above_scale.period,
        above_scale.uscc,
        above_scale.region_code,
        'evidence' as role,
        null as amount,
        active_cooperations.load_id,
        active_cooperations.source_sheet,
        active_cooperations.source_row
    from above_scale
    inner join active_cooperations
        on active_cooperations.period = above_scale.period
            and active_cooperations.enterprise_uscc = above_scale.uscc
    union all
    select
        'above_scale_participation_rate' as indicator_code,
        'default' as variant_code,
        period,
        uscc,
        region_code,
        'evidence' as role,
        null as amount,
        return_load_id,
        return_source_sheet,
        return_source_row
    from above_scale
    where in_vocational_group
),

return_amounts as (
    select
        enterprise_contributions.indicator_code,
        enterprise_contributions.variant_code,
        enterprise_contributions.period,
        enterprise_contributions.unit_code,
        enterprise_contributions.unit_region_code,
        enterprise_contributions.numerator,
        enterprise_contributions.denominator,
        -- rates and shares add the return's figures, 0 included; compliance counts only compliant firms
        enterprise_contributions.indicator_code not like '%compliance' as adds_figures,
        returns.load_id,
        returns.source_sheet,
        returns.source_row
    from enterprise_contributions
    inner join returns
        on returns.period = enterprise_contributions.period
            and returns.load_id = enterprise_contributions.load_id
            and returns.uscc = enterprise_contributions.unit_code
),

return_rows as (
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
    from return_amounts
    where adds_figures or numerator <> 0
    union all
    select
        indicator_code,
        variant_code,
        period,
        unit_code,
        unit_region_code,
        'denominator' as role,
        denominator as amount,
        load_id,
        source_sheet,
        source_row
    from return_amounts
    where adds_figures or denominator <> 0
    union all
    -- internship indicators count above-scale enterprises only: the register row that makes it one
    select distinct
        return_amounts.indicator_code,
        return_amounts.variant_code,
        return_amounts.period,
        return_amounts.unit_code,
        return_amounts.unit_region_code,
        'evidence' as role,
        cast(null as double precision) as amount,
        register_rows.load_id,
        register_rows.source_sheet,
        register_rows.source_row
    from return_amounts
    inner join register_rows
        on register_rows.period = return_amounts.period
            and register_rows.uscc = return_amounts.unit_code
    where return_amounts.indicator_code in ('internship_post_ratio', 'internship_post_compliance')
),

final as (
    select * from participation_rows
    union all
    select * from return_rows
)

select * from final
