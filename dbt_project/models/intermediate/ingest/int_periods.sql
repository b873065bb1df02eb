-- The periods the warehouse computes: those with accepted monthly submissions. Registers alone do
-- not open a period; they are carried forward into the periods that exist.
with loads as (
    select * from {{ ref('stg_ingest__loads') }}
),

final as (
    select distinct period
    from loads
    where status = 'accepted'
        and kind in ('school_workbook', 'enterprise_return')
)

select * from final
