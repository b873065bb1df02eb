-- Per enterprise return in force for P, for every variant (money in 万元 on both sides of each ratio):
--   internship_post_ratio / _compliance        above-scale enterprises (register in force) that returned:
--                                               posts / employees; posts >= 2% of employees
--   training_fund_extraction_rate / _compliance any size: extracted / wage bill; own rate within the band
--   training_fund_frontline_share / _compliance any size: front-line spending / extracted; own share >= 60%
--                                               (compliance counts enterprises with extracted > 0)
--   secondary_vocational_hire_share / _compliance 大型/中型: hires / plan; hires >= 20% of plan (plan > 0)
-- An enterprise of an indicator's population that its denominator leaves out (no funds extracted, no
-- hiring plan) still contributes, 0 of 0: a region where every such firm returned shows not_computable,
-- like the matching share, rather than no_data (which means that no return is in force).
with returns as (
    select * from {{ ref('int_enterprise_returns_in_force') }}
),

register_rows as (
    select distinct
        period,
        uscc
    from {{ ref('int_above_scale_register_rows_in_force') }}
),

variants as (
    select * from {{ ref('int_indicator_variants') }}
    where indicator_code in (
            'internship_post_ratio', 'internship_post_compliance', 'training_fund_extraction_rate',
            'training_fund_extraction_compliance', 'training_fund_frontline_share', 'training_fund_frontline_compliance',
            'secondary_vocational_hire_share', 'secondary_vocational_hire_compliance'
        )
),

enterprises as (
    select
        returns.*,
        register_rows.uscc is not null as is_above_scale,
        -- The compliance tests compare the amounts as typed, exactly: 万元 carry at most six decimals
        -- (0.01 元), and as doubles 16.08 of 1072 would be 1.4999999999999998 %, outside a band from 1.5 %.
        cast(returns.wage_bill_10k_yuan as decimal(38, 6)) as wage_bill_exact,
        cast(returns.training_fund_extracted_10k_yuan as decimal(38, 6)) as training_fund_extracted_exact,
        cast(returns.training_fund_frontline_10k_yuan as decimal(38, 6)) as training_fund_frontline_exact
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
        case variants.indicator_code
            when 'internship_post_ratio' then cast(enterprises.internship_posts as double precision)
            when 'internship_post_compliance'
                then
                    case when 100 * enterprises.internship_posts >= 2 * enterprises.employees then 1 else 0 end
            when 'training_fund_extraction_rate' then enterprises.training_fund_extracted_10k_yuan
            when 'training_fund_extraction_compliance'
                then
                    case when enterprises.wage_bill_exact > 0
                            and 100 * enterprises.training_fund_extracted_exact
                            >= coalesce(cast(variants.band_lower as decimal(38, 6)), 0) * enterprises.wage_bill_exact
                            and (
                                variants.band_upper is null
                                or 100 * enterprises.training_fund_extracted_exact
                                <= cast(variants.band_upper as decimal(38, 6)) * enterprises.wage_bill_exact
                            )
                            then 1
                        else 0
                    end
            when 'training_fund_frontline_share' then enterprises.training_fund_frontline_10k_yuan
            when 'training_fund_frontline_compliance'
                then
                    case when enterprises.training_fund_extracted_exact > 0
                            and 100 * enterprises.training_fund_frontline_exact >= 60 * enterprises.training_fund_extracted_exact
                            then 1
                        else 0
                    end
            when 'secondary_vocational_hire_share' then cast(enterprises.secondary_vocational_hires as double precision)
            when 'secondary_vocational_hire_compliance' then
                case when enterprises.hiring_plan > 0
                        and 100 * enterprises.secondary_vocational_hires >= 20 * enterprises.hiring_plan then 1
                    else 0
                end
        end as numerator,
        case variants.indicator_code
            when 'internship_post_ratio' then cast(enterprises.employees as double precision)
            when 'training_fund_extraction_rate' then enterprises.wage_bill_10k_yuan
            when 'training_fund_frontline_share' then enterprises.training_fund_extracted_10k_yuan
            when
                'training_fund_frontline_compliance'
                then case when enterprises.training_fund_extracted_exact > 0 then 1 else 0 end
            when 'secondary_vocational_hire_share' then cast(enterprises.hiring_plan as double precision)
            when 'secondary_vocational_hire_compliance' then case when enterprises.hiring_plan > 0 then 1 else 0 end
            else 1
        end as denominator,
        case
            when
                variants.indicator_code in ('internship_post_ratio', 'internship_post_compliance')
                then enterprises.is_above_scale
            when variants.indicator_code in ('secondary_vocational_hire_share', 'secondary_vocational_hire_compliance')
                then enterprises.enterprise_size in ('大型', '中型')
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
