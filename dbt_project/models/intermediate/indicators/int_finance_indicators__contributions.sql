-- From the finance records in force (latest fiscal_year <= year(P)):
--   local_surcharge_ve_share, edu_surcharge_ve_share   spent on vocational education / collected
--   secondary_per_student_funding, higher_per_student_appropriation   as reported, only where reported
-- A region's shares use its own 全辖 (whole jurisdiction) record when it has one; otherwise the 本级
-- records of the regions inside it are summed. Each row therefore names the region it is measured for.
-- Money per student is the region's 全辖 figure likewise (a city's target is about all its schools, not
-- only the city-run ones), else its 本级 figure — chosen per indicator, so a 全辖 record without the
-- figure leaves the 本级 figure in place.
-- One row per finance record and region it counts for, so each row also names the record's sheet and row:
-- int_indicator_contributions collects the figures, int_finance_indicators__source_rows lists the rows.
with finance as (
    select * from {{ ref('int_education_finance_in_force') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

variants as (
    select * from {{ ref('int_indicator_variants') }}
    where indicator_code in (
            'local_surcharge_ve_share', 'edu_surcharge_ve_share',
            'secondary_per_student_funding', 'higher_per_student_appropriation'
        )
),

whole_jurisdiction as (
    select
        period,
        region_code
    from finance
    where coverage = '全辖'
),

share_rows as (
    -- 全辖 records count for their own region only
    select
        finance.*,
        finance.region_code as measured_region_code
    from finance
    where finance.coverage = '全辖'
    union all
    -- 本级 records count for every region containing them that has no 全辖 record
    select
        finance.*,
        ancestors.ancestor_code
    from finance
    inner join ancestors
        on ancestors.region_code = finance.region_code
    left join whole_jurisdiction
        on whole_jurisdiction.period = finance.period
            and whole_jurisdiction.region_code = ancestors.ancestor_code
    where finance.coverage = '本级' and whole_jurisdiction.region_code is null
),

amounts as (
    select
        finance.*,
        variants.indicator_code,
        variants.variant_code,
        case variants.indicator_code when 'secondary_per_student_funding' then finance.secondary_per_student_funding_yuan
            else finance.higher_per_student_appropriation_yuan
        end as amount
    from finance
    inner join variants
        on variants.indicator_code in ('secondary_per_student_funding', 'higher_per_student_appropriation')
),

reported as (
    select
        *,
        row_number() over (
            partition by indicator_code, variant_code, period, region_code
            order by case coverage when '全辖' then 0 else 1 end
        ) as preference
    from amounts
    where amount is not null
),

final as (
    select
        variants.indicator_code,
        variants.variant_code,
        share_rows.period,
        'region' as unit_type,
        share_rows.region_code as unit_code,
        share_rows.region_code as unit_region_code,
        share_rows.measured_region_code,
        cast(null as integer) as cohort_year,
        share_rows.load_id,
        case variants.indicator_code when 'local_surcharge_ve_share' then share_rows.local_surcharge_to_ve_10k_yuan
            else share_rows.edu_surcharge_to_ve_10k_yuan
        end as numerator,
        case variants.indicator_code when 'local_surcharge_ve_share' then share_rows.local_surcharge_collected_10k_yuan
            else share_rows.edu_surcharge_collected_10k_yuan
        end as denominator,
        share_rows.source_sheet,
        share_rows.source_row
    from share_rows
    inner join variants
        on variants.indicator_code in ('local_surcharge_ve_share', 'edu_surcharge_ve_share')
    union all
    select
        reported.indicator_code,
        reported.variant_code,
        reported.period,
        'region' as unit_type,
        reported.region_code as unit_code,
        reported.region_code as unit_region_code,
        reported.region_code as measured_region_code,
        cast(null as integer) as cohort_year,
        reported.load_id,
        reported.amount as numerator,
        cast(null as double precision) as denominator,
        reported.source_sheet,
        reported.source_row
    from reported
    where reported.preference = 1
)

select * from final
