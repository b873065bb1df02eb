-- Who is expected to submit what for each period: the rows of the frame in force (latest accepted
-- frame covering the row's region, with period <= P) whose 起报期 <= P <= 止报期 (止报期 blank: still expected).
with frame_rows as (
    {{ rows_in_force('reporting_frame', 'stg_bureaus__reporting_frame') | indent(4) }}
),

final as (
    select *
    from frame_rows
    where from_period <= period
        and (to_period is null or to_period >= period)
)

select * from final
