-- Counts from the registers in force (value = numerator; no denominator):
--   certified_enterprise_count   certified enterprises valid at period end (certified_on <= end, valid_until blank or >= end)
--   industry_college_count, training_base_count, vocational_group_count, master_studio_count,
--   experience_center_count      carriers of that type existing at period end (established_on <= end, closed_on blank or > end)
-- Populations: carrier_level:<level> = that level or above; carrier_high_level = flagged 高水平;
-- carrier_led_by_higher_school = led by a 高职专科/职业本科 school. Every register load in force adds a
-- zero row for the region it covers, so a region with a register and nothing to count shows 0, not no data.
-- A lead school's stage is a fact about the school, not about this month's workbook: it comes from its
-- latest workbook in force up to P, else from the reporting frame in force — a college that has not yet
-- sent its October workbook still leads its industry colleges.
with certified as (
    select * from {{ ref('int_certified_enterprises_in_force') }}
),

carriers as (
    select * from {{ ref('int_carriers_in_force') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

workbooks as (
    select * from {{ ref('int_schools_in_force') }}
),

frame_schools as (
    select * from {{ ref('int_reporting_frame_in_force') }}
    where kind = 'school_workbook' and school_level is not null
),

stage_sources as (
    select periods.period, workbooks.school_code, workbooks.school_stage, 0 as source_rank, workbooks.period as source_period
    from periods
    inner join workbooks
        on workbooks.period <= periods.period
    union all
    select period, submitter_code, {{ school_stage('school_level') }}, 1, period
    from frame_schools
),

ranked_stages as (
    -- its latest workbook first, then the frame
    select
        *,
        row_number() over (partition by period, school_code order by source_rank, source_period desc) as preference
    from stage_sources
),

schools as (
    -- one stage per school and period, so a school that changed its 办学层次 is never counted twice
    select period, school_code, school_stage
    from ranked_stages
    where preference = 1
),

loads_in_force as (
    select * from {{ ref('int_loads_in_force') }}
    where kind in ('certified_enterprises', 'carriers')
),

variants as (
    select
        *,
        case when population like 'carrier_level:%' then {{ level_rank("substr(population, 15)") }} end as minimum_rank
    from {{ ref('int_indicator_variants') }}
    where indicator_code in ('certified_enterprise_count', 'industry_college_count', 'training_base_count',
        'vocational_group_count', 'master_studio_count', 'experience_center_count')
),

carrier_types as (
    select 'industry_college_count' as indicator_code, '产业学院' as carrier_type
    union all select 'training_base_count', '实训基地'
    union all select 'vocational_group_count', '职教集团'
    union all select 'master_studio_count', '技能大师工作室'
    union all select 'experience_center_count', '职业体验中心'
),

certified_counted as (
    select
        variants.indicator_code, variants.variant_code, certified.period, certified.uscc as unit_code,
        certified.region_code, certified.load_id
    from certified
    inner join variants
        on variants.indicator_code = 'certified_enterprise_count'
        and (variants.minimum_rank is null or certified.level_rank >= variants.minimum_rank)
    where certified.certified_on <= {{ period_end('certified.period') }}
        and (certified.valid_until is null or certified.valid_until >= {{ period_end('certified.period') }})
),

carriers_counted as (
    select
        variants.indicator_code, variants.variant_code, carriers.period, carriers.carrier_id as unit_code,
        carriers.region_code, carriers.load_id
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
        variants.indicator_code, variants.variant_code, loads_in_force.period, loads_in_force.submitter as unit_code,
        loads_in_force.submitter as region_code, loads_in_force.load_id
    from loads_in_force
    inner join variants
        on (loads_in_force.kind = 'certified_enterprises') = (variants.indicator_code = 'certified_enterprise_count')
),

final as (
    select indicator_code, variant_code, period, 'enterprise' as unit_type, unit_code, region_code as unit_region_code,
        cast(null as varchar) as measured_region_code, cast(null as integer) as cohort_year, load_id,
        cast(1 as double precision) as numerator, cast(null as double precision) as denominator
    from certified_counted
    union all
    select indicator_code, variant_code, period, 'carrier', unit_code, region_code,
        cast(null as varchar), cast(null as integer), load_id, cast(1 as double precision), cast(null as double precision)
    from carriers_counted
    union all
    select indicator_code, variant_code, period, 'register', unit_code, region_code,
        cast(null as varchar), cast(null as integer), load_id, cast(0 as double precision), cast(null as double precision)
    from zero_rows
)

select * from final
