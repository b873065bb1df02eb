-- The spreadsheet rows behind every indicator value, for auditors: one row per source row × role ×
-- region whose value it counts in (value_region_code), with the amount it adds to that role. Summing
-- `amount` per role over the rows of one value gives that value's numerator and denominator exactly.
--   role numerator / denominator   amount = 1 for a counted row (a teacher, a graduate, an enterprise,
--                                  a carrier), else the figure the row adds (在校生数, 编制员额, 课时,
--                                  employees, 万元 of funds, 元 per student)
--   role evidence                  amount null: a row that is why a unit counts, not a counted row
--                                  (the cooperation or 参与职教集团=是 return behind a participant; the
--                                  register row that makes a returning enterprise above-scale; the
--                                  学校信息 or frame row giving a carrier's lead school as higher-education)
-- Rows whose role only counts (0 or 1) are listed where they count; rows adding a figure are listed
-- for every unit of the population, 0 included, so a 0 / 0 value shows the returns that made it so.
-- Sum-type indicators count a unit's rows for its county, city and province; locality indicators,
-- finance shares and money per student only for the region they were measured for.
-- No rule is restated here: each family's rows are its int_<family>_indicators__source_rows model (where a
-- unit has many rows — teachers, apprentices, graduates — judged by the macros of macros/indicator_rows.sql,
-- which the contributions count; registers and finance name one row per source row; elsewhere the amounts
-- are the contributions themselves). This model only places each row in the regions whose values it counts in.
-- The test assert_source_rows_add_up_to_values holds the rows to the published values on every build;
-- tests/warehouse/test_trace_recompute.py holds them to the files.
with school_rows as (
    select * from {{ ref('int_school_indicators__source_rows') }}
),

graduate_rows as (
    select * from {{ ref('int_graduate_indicators__source_rows') }}
),

enterprise_rows as (
    select * from {{ ref('int_enterprise_indicators__source_rows') }}
),

register_rows as (
    select * from {{ ref('int_register_indicators__source_rows') }}
),

finance_rows as (
    select * from {{ ref('int_finance_indicators__source_rows') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

summed as (
    -- sum-type indicators: the unit's county, city and province
    select * from school_rows
    union all
    select * from enterprise_rows
    union all
    select * from register_rows
),

final as (
    select
        summed.indicator_code,
        summed.variant_code,
        summed.period,
        summed.unit_code,
        summed.unit_region_code,
        ancestors.ancestor_code as value_region_code,
        summed.role,
        summed.amount,
        summed.load_id,
        summed.source_sheet,
        summed.source_row
    from summed
    inner join ancestors
        on ancestors.region_code = summed.unit_region_code
    union all
    select
        indicator_code,
        variant_code,
        period,
        unit_code,
        unit_region_code,
        value_region_code,
        role,
        amount,
        load_id,
        source_sheet,
        source_row
    from graduate_rows
    union all
    select
        indicator_code,
        variant_code,
        period,
        unit_code,
        unit_region_code,
        value_region_code,
        role,
        amount,
        load_id,
        source_sheet,
        source_row
    from finance_rows
)

select * from final
