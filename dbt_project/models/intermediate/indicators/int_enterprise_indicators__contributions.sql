-- Per enterprise return in force for P, for every variant (money in 万元 on both sides of each ratio):
--   internship_post_ratio / _compliance        above-scale enterprises (register in force) that returned:
--                                               posts / employees; posts >= 2% of employees
--   training_fund_extraction_rate / _compliance any size: extracted / wage bill; own rate within the band
--   training_fund_frontline_share / _compliance any size: front-line spending / extracted; own share >= 60%
--                                               (compliance counts enterprises with extracted > 0)
--   secondary_vocational_hire_share / _compliance 大型/中型: hires / plan; hires >= 20% of plan (plan > 0)
with returns as (
    select * from {{ ref('int_enterprise_returns_in_force') }}
),

register_rows as (
    select distinct period, uscc from {{ ref('int_above_scale_register_rows_in_force') }}
),

variants as (
    select * from {{ ref('int_indicator_variants') }}
    where indicator_code in ('internship_post_ratio', 'internship_post_compliance', 'training_fund_extraction_rate',
        'training_fund_extraction_compliance', 'training_fund_frontline_share', 'training_fund_frontline_compliance',
        'secondary_vocational_hire_share', 'secondary_vocational_hire_compliance')
),

enterprises as (
    select
        returns.*,
        register_rows.uscc is not null as is_above_scale
    from returns
    left join register_rows
        on register_rows.period = returns.period
        and register_rows.uscc = returns.uscc
),

measured as (
    select
        enterprises.*,
        variants.indicator_code,
        variants.variant_code,
        variants.band_lower,
        variants.band_upper,
        case variants.indicator_code
            when 'internship_post_ratio' then cast(enterprises.internship_posts as double precision)
            when 'internship_post_compliance' then case when enterprises.internship_posts >= 0.02 * enterprises.employees then 1 else 0 end
            when 'training_fund_extraction_rate' then enterprises.training_fund_extracted_10k_yuan
            when 'training_fund_extraction_compliance' then
                case when enterprises.wage_bill_10k_yuan > 0
                    and 100 * enterprises.training_fund_extracted_10k_yuan / enterprises.wage_bill_10k_yuan >= coalesce(variants.band_lower, 0)
                    and (variants.band_upper is null
                        or 100 * enterprises.training_fund_extracted_10k_yuan / enterprises.wage_bill_10k_yuan <= variants.band_upper)
                    then 1 else 0 end
            when 'training_fund_frontline_share' then enterprises.training_fund_frontline_10k_yuan
            when 'training_fund_frontline_compliance' then
                case when enterprises.training_fund_frontline_10k_yuan >= 0.6 * enterprises.training_fund_extracted_10k_yuan then 1 else 0 end
            when 'secondary_vocational_hire_share' then cast(enterprises.secondary_vocational_hires as double precision)
            when 'secondary_vocational_hire_compliance' then
                case when enterprises.secondary_vocational_hires >= 0.2 * enterprises.hiring_plan then 1 else 0 end
        end as numerator,
        case variants.indicator_code
            when 'internship_post_ratio' then cast(enterprises.employees as double precision)
            when 'training_fund_extraction_rate' then enterprises.wage_bill_10k_yuan
            when 'training_fund_frontline_share' then enterprises.training_fund_extracted_10k_yuan
            when 'secondary_vocational_hire_share' then cast(enterprises.hiring_plan as double precision)
            else 1
        end as denominator,
        case
            when variants.indicator_code in ('internship_post_ratio', 'internship_post_compliance') then enterprises.is_above_scale
            when variants.indicator_code = 'training_fund_frontline_compliance' then enterprises.training_fund_extracted_10k_yuan > 0
            when variants.indicator_code = 'secondary_vocational_hire_share' then enterprises.enterprise_size in ('大型', '中型')
            when variants.indicator_code = 'secondary_vocational_hire_compliance' then
                enterprises.enterprise_size in ('大型', '中型') and enterprises.hiring_plan > 0
            else true
        end as counts
    from enterprises
    cross join variants
),

final as (
    select
        indicator_code,
        variant_code,
        period,
        'enterprise' as unit_type,
        uscc as unit_code,
        region_code as unit_region_code,
        cast(null as varchar) as measured_region_code,
        cast(null as integer) as cohort_year,
        load_id,
        cast(numerator as double precision) as numerator,
        cast(denominator as double precision) as denominator
    from measured
    where counts
)

select * from final
