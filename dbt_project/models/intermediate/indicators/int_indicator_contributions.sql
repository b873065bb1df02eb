-- Every indicator's per-unit numerators and denominators, one row per unit × load × variant × period
-- (× measured region for the indicators re-evaluated at each level). The register and finance models
-- also name each row's sheet and row (for their __source_rows models): only the shared columns are kept.
{%- set contributions = [
    'int_school_indicators__contributions',
    'int_graduate_indicators__contributions',
    'int_enterprise_indicators__contributions',
    'int_above_scale_participation_rate__contributions',
    'int_register_indicators__contributions',
    'int_finance_indicators__contributions',
] %}
with final as (
    {%- for model in contributions %}
        select
            indicator_code,
            variant_code,
            period,
            unit_type,
            unit_code,
            unit_region_code,
            measured_region_code,
            cohort_year,
            load_id,
            numerator,
            denominator
        from {{ ref(model) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
