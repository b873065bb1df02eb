-- Counts from the registers in force (value = numerator; no denominator):
--   certified_enterprise_count   certified enterprises valid at period end (certified_on <= end, valid_until blank or >= end)
--   industry_college_count, training_base_count, vocational_group_count, master_studio_count,
--   experience_center_count      carriers of that type existing at period end (established_on <= end, closed_on blank or > end)
-- Populations: carrier_level:<level> = that level or above; carrier_high_level = flagged 高水平;
-- carrier_led_by_higher_school = led by a 高职专科/职业本科 school. A register is complete for the region it
-- covers, so every register load in force adds a zero row for that region and for each county-level
-- region inside it (valid in year(P); development zones included, 市辖区 grouping entries not): a county
-- of a city-wide register with nothing to count shows 0, not no data.
-- A lead school's stage is a fact about the school, not about this month's workbook: it comes from its
-- latest workbook in force up to P, else from the reporting frame in force (int_school_stages_in_force) —
-- a college that has not yet sent its October workbook still leads its industry colleges. The regions
-- each register covers are int_register_regions_covered's.
-- Each counted unit is one register row, so each row also names its sheet and row, and for a carrier counted
-- for being led by a higher-education school the row giving that school's stage: int_indicator_contributions
-- collects the counts, int_register_indicators__source_rows lists the rows.
with certified as (
    select * from {{ ref('int_certified_enterprises_in_force') }}
),

carriers as (
    select * from {{ ref('int_carriers_in_force') }}
),

schools as (
    -- each school's stage for the period and the row giving it (int_school_stages_in_force)
    select * from {{ ref('int_school_stages_in_force') }}
),

covered_regions as (
    -- the region each register covers, and the county-level regions inside it
    select * from {{ ref('int_register_regions_covered') }}
),

variants as (
    select
        *,
        case when population like 'carrier_level:%' then {{ level_rank("substr(population, 15)") }} end as minimum_rank
    from {{ ref('int_indicator_variants') }}
    where indicator_code in (
            'certified_enterprise_count', 'industry_college_count', 'training_base_count',
            'vocational_group_count', 'master_studio_count', 'experience_center_count'
        )
),

carrier_types as (
    select
        'industry_college_count' as indicator_code,
        '产业学院' as carrier_type
    union all
    select
        'training_base_count' as indicator_code,
        '实训基地' as carrier_type
    union all
    select
        'vocational_group_count' as indicator_code,
        '职教集团' as carrier_type
    union all
    select
        'master_studio_count' as indicator_code,
        '技能大师工作室' as carrier_type
    union all
    select
        'experience_center_count' as indicator_code,
        '职业体验中心' as carrier_type
),

certified_counted as (
    select
        variants.indicator_code,
        variants.variant_code,
        certified.period,
        certified.uscc as unit_code,
        certified.region_code,
        certified.load_id,
        certified.source_sheet,
        certified.source_row,
        cast(null as varchar) as stage_load_id,
        cast(null as varchar) as stage_source_sheet,
        cast(null as integer) as stage_source_row
    from certified
    inner join variants
        on variants.indicator_code = 'certified_enterprise_count'
            and (variants.minimum_rank is null or variants.minimum_rank <= certified.level_rank)
    where certified.certified_on <= {{ period_end('certified.period') }}
        and (certified.valid_until is null or certified.valid_until >= {{ period_end('certified.period') }})
),

carriers_counted as (
    select
        variants.indicator_code,
        variants.variant_code,
        carriers.period,
        carriers.carrier_id as unit_code,
        carriers.region_code,
        carriers.load_id,
        carriers.source_sheet,
        carriers.source_row,
        -- the row that makes the lead school higher-education, where the variant asks for one
        case when variants.population = 'carrier_led_by_higher_school' then schools.load_id end as stage_load_id,
        case when variants.population = 'carrier_led_by_higher_school' then schools.source_sheet end as stage_source_sheet,
        case when variants.population = 'carrier_led_by_higher_school' then schools.source_row end as stage_source_row
    from carriers
    inner join carrier_types
        on carrier_types.carrier_type = carriers.carrier_type
    inner join variants
        on variants.indicator_code = carrier_types.indicator_code
    left join schools
        on schools.period = carriers.period
            and schools.school_code = carriers.lead_school_code
    where carriers.established_on <= {{ period_end('carriers.period') }}
        and (carriers.closed_on is null or carriers.closed_on > {{ period_end('carriers.period') }})
        and (variants.minimum_rank is null or carriers.level_rank >= variants.minimum_rank)
        and (variants.population <> 'carrier_high_level' or carriers.is_high_level)
        and (variants.population <> 'carrier_led_by_higher_school' or schools.school_stage = 'higher')
),

zero_rows as (
    select
        variants.indicator_code,
        variants.variant_code,
        covered_regions.period,
        covered_regions.region_code as unit_code,
        covered_regions.region_code,
        covered_regions.load_id,
        cast(null as varchar) as source_sheet,
        cast(null as integer) as source_row,
        cast(null as varchar) as stage_load_id,
        cast(null as varchar) as stage_source_sheet,
        cast(null as integer) as stage_source_row
    from covered_regions
    inner join variants
        on (covered_regions.kind = 'certified_enterprises') = (variants.indicator_code = 'certified_enterprise_count')
),

counted as (
    select
        *,
        'enterprise' as unit_type,
        cast(1 as double precision) as numerator
    from certified_counted
    union all
    select
        *,
        'carrier' as unit_type,
        cast(1 as double precision) as numerator
    from carriers_counted
    union all
    select
        *,
        'register' as unit_type,
        cast(0 as double precision) as numerator
    from zero_rows
),

final as (
    select
        indicator_code,
        variant_code,
        period,
        unit_type,
        unit_code,
        region_code as unit_region_code,
        cast(null as varchar) as measured_region_code,
        cast(null as integer) as cohort_year,
        load_id,
        numerator,
        cast(null as double precision) as denominator,
        source_sheet,
        source_row,
        stage_load_id,
        stage_source_sheet,
        stage_source_row
    from counted
)

select * from final
