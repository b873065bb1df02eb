-- Finance is annual: for P, each region's latest fiscal_year <= year(P) is in force, per 口径 (本级/全辖);
-- among files for the same region, year and 口径 the latest received wins.
with loads as (
    select * from {{ ref('stg_ingest__loads') }}
    where status = 'accepted' and kind = 'education_finance'
),

periods as (
    select * from {{ ref('int_periods') }}
),

finance as (
    select * from {{ ref('stg_bureaus__education_finance') }}
),

ranked as (
    select
        periods.period,
        finance.*,
        row_number() over (
            partition by periods.period, finance.region_code, finance.coverage
            order by finance.fiscal_year desc, loads.received_at desc, loads.sha256 desc
        ) as recency
    from periods
    inner join finance
        on finance.fiscal_year <= cast(substr(periods.period, 1, 4) as integer)
    inner join loads
        on loads.load_id = finance.load_id
)

select * from ranked
where recency = 1
