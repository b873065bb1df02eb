with source as (
    select * from {{ source('schools', 'school_info') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        school_code,
        school_name,
        region_code,
        school_level,
        case
            when school_level in ('中职', '技工院校') then 'secondary'
            when school_level in ('高职专科', '职业本科') then 'higher'
        end as school_stage,
        period,
        cast(enrolled_students as bigint) as enrolled_students,
        cast(staff_quota as bigint) as staff_quota,
        cast(total_teaching_hours as double precision) as total_teaching_hours,
        cast(practical_teaching_hours as double precision) as practical_teaching_hours
    from source
)

select * from renamed
