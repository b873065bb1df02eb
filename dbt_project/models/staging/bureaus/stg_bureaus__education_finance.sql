with source as (
    select * from {{ source('bureaus', 'education_finance') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        region_code,
        cast(fiscal_year as integer) as fiscal_year,
        coverage,
        cast(local_surcharge_collected as double precision) as local_surcharge_collected_10k_yuan,
        cast(local_surcharge_to_ve as double precision) as local_surcharge_to_ve_10k_yuan,
        cast(edu_surcharge_collected as double precision) as edu_surcharge_collected_10k_yuan,
        cast(edu_surcharge_to_ve as double precision) as edu_surcharge_to_ve_10k_yuan,
        cast(secondary_per_student_funding as double precision) as secondary_per_student_funding_yuan,
        cast(higher_per_student_appropriation as double precision) as higher_per_student_appropriation_yuan
    from source
)

select * from renamed
