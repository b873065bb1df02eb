-- The regions each certified-enterprises or carriers register in force covers, per period: the region
-- it was sent for (its submitter) and each county-level region inside it valid in year(P) (development
-- zones included, 市辖区 grouping entries not). A register is complete for the region it covers, so
-- int_register_indicators__contributions gives each of these regions a zero row: a county of a
-- city-wide register with nothing to count shows 0, not no data.
with loads_in_force as (
    select * from {{ ref('int_loads_in_force') }}
    where kind in ('certified_enterprises', 'carriers')
),

regions as (
    select * from {{ ref('regions') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

final as (
    select
        period,
        load_id,
        kind,
        submitter as region_code
    from loads_in_force
    union
    select
        loads_in_force.period,
        loads_in_force.load_id,
        loads_in_force.kind,
        regions.region_code
    from loads_in_force
    inner join ancestors
        on ancestors.ancestor_code = loads_in_force.submitter
    inner join regions
        on regions.region_code = ancestors.region_code
    where regions.region_level = 'county'
        and regions.region_name <> '市辖区'
        and (regions.valid_from_year is null or regions.valid_from_year <= cast(substr(loads_in_force.period, 1, 4) as integer))
        and (regions.valid_to_year is null or regions.valid_to_year >= cast(substr(loads_in_force.period, 1, 4) as integer))
)

select * from final
