-- The finance records behind the finance indicators, each for every region it counts in (the region it
-- was measured for, value_region_code): surcharge shares name the record on both sides, money per student
-- has no denominator.
with finance_contributions as (
    select * from {{ ref('int_finance_indicators__contributions') }}
),

final as (
    select
        indicator_code,
        variant_code,
        period,
        unit_code,
        unit_region_code,
        measured_region_code as value_region_code,
        'numerator' as role,
        numerator as amount,
        load_id,
        source_sheet,
        source_row
    from finance_contributions
    union all
    select
        indicator_code,
        variant_code,
        period,
        unit_code,
        unit_region_code,
        measured_region_code as value_region_code,
        'denominator' as role,
        denominator as amount,
        load_id,
        source_sheet,
        source_row
    from finance_contributions
    where indicator_code in ('local_surcharge_ve_share', 'edu_surcharge_ve_share')
)

select * from final
