-- Coverage of each indicator value: the units the frame in force expects for the indicator's
-- submission kind inside the region, and how many of them have an accepted submission for P.
-- Null (no row) where no frame is in force.
with status as (
    select * from {{ ref('fct_collection_status') }}
    where is_expected
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

indicators as (
    select * from {{ ref('indicators') }}
),

indicator_kinds as (
    select
        indicator_code,
        case
            when indicator_code in (
                    'internship_post_ratio', 'internship_post_compliance', 'training_fund_extraction_rate',
                    'training_fund_extraction_compliance', 'training_fund_frontline_share', 'training_fund_frontline_compliance',
                    'secondary_vocational_hire_share', 'secondary_vocational_hire_compliance'
                ) then 'enterprise_return'
            when indicator_code = 'above_scale_participation_rate' then 'above_scale_register'
            when indicator_code = 'certified_enterprise_count' then 'certified_enterprises'
            when
                indicator_code in (
                    'industry_college_count',
                    'training_base_count',
                    'vocational_group_count',
                    'master_studio_count',
                    'experience_center_count'
                )
                then 'carriers'
            when indicator_code in (
                    'local_surcharge_ve_share', 'edu_surcharge_ve_share', 'secondary_per_student_funding',
                    'higher_per_student_appropriation'
                ) then 'education_finance'
            else 'school_workbook'
        end as kind
    from indicators
),

final as (
    select
        indicator_kinds.indicator_code,
        status.period,
        ancestors.ancestor_code as region_code,
        count(*) as coverage_expected,
        count(case when status.collection_state = 'accepted' then 1 end) as coverage_accepted
    from status
    inner join indicator_kinds
        on indicator_kinds.kind = status.kind
    inner join ancestors
        on ancestors.region_code = status.region_code
    group by indicator_kinds.indicator_code, status.period, ancestors.ancestor_code
)

select * from final
