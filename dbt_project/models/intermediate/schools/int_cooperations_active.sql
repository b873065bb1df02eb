-- Cooperations listed in the workbooks in force, and whether each is active at period end
-- (start_date <= period end and end_date blank or >= period end).
with schools as (
    select * from {{ ref('int_schools_in_force') }}
),

cooperations as (
    select * from {{ ref('stg_schools__cooperations') }}
),

final as (
    select
        schools.period,
        cooperations.load_id,
        cooperations.source_sheet,
        cooperations.source_row,
        cooperations.school_code,
        cooperations.enterprise_uscc,
        cooperations.cooperation_type,
        cooperations.start_date,
        cooperations.end_date,
        cooperations.start_date <= {{ period_end('schools.period') }}
        and (cooperations.end_date is null or cooperations.end_date >= {{ period_end('schools.period') }})
            as is_active_at_period_end
    from schools
    inner join cooperations
        on cooperations.load_id = schools.load_id
)

select * from final
