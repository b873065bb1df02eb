with source as (
    select * from {{ source('enterprises', 'enterprise_returns') }}
),

renamed as (
    select
        load_id,
        source_sheet,
        source_row,
        uscc,
        enterprise_name,
        region_code,
        period,
        cast(employees as bigint) as employees,
        cast(wage_bill as double precision) as wage_bill_10k_yuan,
        cast(training_fund_extracted as double precision) as training_fund_extracted_10k_yuan,
        cast(training_fund_frontline as double precision) as training_fund_frontline_10k_yuan,
        cast(internship_posts as bigint) as internship_posts,
        cast(apprentices as bigint) as apprentices,
        in_vocational_group,
        enterprise_size,
        cast(hiring_plan as bigint) as hiring_plan,
        cast(secondary_vocational_hires as bigint) as secondary_vocational_hires
    from source
)

select * from renamed
