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
        {{ school_stage('school_level') }} as school_stage,
        period,
        cast(enrolled_students as bigint) as enrolled_students,
        cast(staff_quota as bigint) as staff_quota,
        cast(total_teaching_hours as double precision) as total_teaching_hours,
        cast(practical_teaching_hours as double precision) as practical_teaching_hours
    from source
)

select * from renamed
