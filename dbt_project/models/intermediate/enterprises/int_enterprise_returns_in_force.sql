-- Each enterprise's latest accepted return row for P (a file may hold one or many enterprises).
with loads as (
    select * from {{ ref('stg_ingest__loads') }}
    where status = 'accepted' and kind = 'enterprise_return'
),

returns as (
    select * from {{ ref('stg_enterprises__enterprise_returns') }}
),

ranked as (
    select
        loads.period,
        returns.load_id,
        returns.source_sheet,
        returns.source_row,
        returns.uscc,
        returns.enterprise_name,
        returns.region_code,
        returns.employees,
        returns.wage_bill_10k_yuan,
        returns.training_fund_extracted_10k_yuan,
        returns.training_fund_frontline_10k_yuan,
        returns.internship_posts,
        returns.apprentices,
        returns.in_vocational_group,
        returns.enterprise_size,
        returns.hiring_plan,
        returns.secondary_vocational_hires,
        row_number() over (
            partition by returns.uscc, loads.period
            order by loads.received_at desc, loads.sha256 desc, returns.source_row desc
        ) as recency
    from returns
    inner join loads
        on loads.load_id = returns.load_id
),

final as (
    select
        period,
        load_id,
        source_sheet,
        source_row,
        uscc,
        enterprise_name,
        region_code,
        employees,
        wage_bill_10k_yuan,
        training_fund_extracted_10k_yuan,
        training_fund_frontline_10k_yuan,
        internship_posts,
        apprentices,
        in_vocational_group,
        enterprise_size,
        hiring_plan,
        secondary_vocational_hires
    from ranked
    where recency = 1
)

select * from final
