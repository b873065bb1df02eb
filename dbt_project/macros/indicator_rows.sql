{#- The row-level rules of the school-workbook indicators, written once: which school of a variant's
    population counts, which teacher, apprentice or graduate row counts for the numerator and for the
    denominator. int_school_indicators__contributions and int_graduate_indicators__contributions count
    these rows per school; int_school_indicators__source_rows and int_graduate_indicators__source_rows
    list them. They are macros rather than a model of their own so that the contributions' unit tests
    keep feeding the rules the rows in force. -#}

{#- Each school in force with each variant whose population it belongs to (secondary_schools /
    higher_schools keep only schools of that stage), for the indicators named (all when none). -#}
{% macro school_variants(indicator_codes=none) -%}
    select
        schools.*,
        variants.indicator_code,
        variants.variant_code,
        variants.population,
        variants.scope_region,
        variants.rule_days,
        variants.rule_window_months
    from {{ ref('int_schools_in_force') }} as schools
    inner join {{ ref('int_indicator_variants') }} as variants
        on variants.population not in ('secondary_schools', 'higher_schools')
        or (variants.population = 'secondary_schools' and schools.school_stage = 'secondary')
        or (variants.population = 'higher_schools' and schools.school_stage = 'higher')
    {%- if indicator_codes %}
    where variants.indicator_code in ('{{ indicator_codes | join("', '") }}')
    {%- endif %}
{%- endmacro %}

{#- Each teacher of each school variant, and whether the teacher counts in the numerator and in the
    denominator:
      dual_teacher_ratio            双师型 (or 一体化 for population dual_or_integrated) / full-time professional
      teacher_practice_compliance   the population (all_teachers, else full-time professional) meeting the
                                    rule (days in the 12- or 24-month window) / that population
      part_time_teacher_ratio       兼职 teachers (the denominator, 编制员额, is the 学校信息 row's) -#}
{% macro teacher_indicator_rows() -%}
    select
        school_variants.indicator_code,
        school_variants.variant_code,
        school_variants.period,
        school_variants.school_code,
        school_variants.region_code,
        teachers.load_id,
        teachers.source_sheet,
        teachers.source_row,
        case school_variants.indicator_code
            when 'dual_teacher_ratio' then teachers.is_fulltime_professional
                and (teachers.is_dual_qualified or (school_variants.population = 'dual_or_integrated' and teachers.is_integrated))
            when 'teacher_practice_compliance' then (school_variants.population = 'all_teachers' or teachers.is_fulltime_professional)
                and coalesce((case school_variants.rule_window_months when 12 then teachers.practice_days_12m
                    when 24 then teachers.practice_days_24m end) >= school_variants.rule_days, false)
            when 'part_time_teacher_ratio' then not teachers.is_full_time
        end as in_numerator,
        case school_variants.indicator_code
            when 'dual_teacher_ratio' then teachers.is_fulltime_professional
            when 'teacher_practice_compliance' then school_variants.population = 'all_teachers' or teachers.is_fulltime_professional
            else false
        end as in_denominator
    from ({{ school_variants(['dual_teacher_ratio', 'teacher_practice_compliance', 'part_time_teacher_ratio']) }}) as school_variants
    inner join {{ ref('int_teachers_in_force') }} as teachers
        on teachers.period = school_variants.period
        and teachers.load_id = school_variants.load_id
{%- endmacro %}

{#- The apprentices apprenticeship_rate counts: 在读, of type 现代学徒制 or 企业新型学徒制. -#}
{% macro counted_apprentices() -%}
    select *
    from {{ ref('stg_schools__apprentices') }}
    where status = '在读' and apprenticeship_type in ('现代学徒制', '企业新型学徒制')
{%- endmacro %}

{#- Each school of each graduate variant, judged once per region R containing it (measured_region_code;
    indicators.md, worked example 4), with each of its graduates, if any (a school without graduates of
    the cohort still gives one row, counting nowhere), "local" meaning inside R or inside the target's
    scope_region:
      graduate_local_employment_rate         就业 at a 企业 located locally / cohort-Y graduates
      graduate_local_direct_employment_rate  就业 or 自主创业 locally / cohort-Y graduates minus 升学, 入伍
      graduate_retention_rate                就业 or 自主创业 locally (any employer type) / cohort-Y graduates
      non_local_return_rate                  earliest 就业 outside R and latest 就业 inside R / earliest 就业
                                             outside R (any cohort)
    source_row is the latest record's row, which decides both roles, except that 回流's denominator rests
    on the earliest 就业 record (earliest_employment_source_row). -#}
{% macro graduate_indicator_rows() -%}
    with measured as (
        select
            school_variants.period,
            {{ cohort_year('school_variants.period') }} as cohort_year,
            school_variants.school_code,
            school_variants.region_code as school_region_code,
            school_variants.load_id,
            ancestors.ancestor_code as measured_region_code,
            school_variants.indicator_code,
            school_variants.variant_code,
            coalesce(school_variants.scope_region, ancestors.ancestor_code) as local_region_code
        from ({{ school_variants(['graduate_local_employment_rate', 'graduate_local_direct_employment_rate',
            'graduate_retention_rate', 'non_local_return_rate']) }}) as school_variants
        inner join {{ ref('int_region_ancestors') }} as ancestors
            on ancestors.region_code = school_variants.region_code
    ),

    judged as (
        select
            measured.*,
            graduates.student_id_hash,
            graduates.source_sheet,
            graduates.source_row,
            graduates.earliest_employment_source_row,
            graduates.graduation_year,
            graduates.destination_type,
            graduates.employer_type,
            latest_local.ancestor_code is not null as is_local,
            graduates.earliest_employment_region_code is not null and earliest_local.ancestor_code is null as started_outside
        from measured
        left join {{ ref('int_graduates_latest_destination') }} as graduates
            on graduates.period = measured.period
            and graduates.load_id = measured.load_id
        left join {{ ref('int_region_ancestors') }} as latest_local
            on latest_local.region_code = graduates.employer_region_code
            and latest_local.ancestor_code = measured.local_region_code
        left join {{ ref('int_region_ancestors') }} as earliest_local
            on earliest_local.region_code = graduates.earliest_employment_region_code
            and earliest_local.ancestor_code = measured.local_region_code
    ),

    followed as (
        -- the graduates each indicator follows: the cohort, or for 回流 any cohort still reported
        select
            *,
            student_id_hash is not null
                and (indicator_code = 'non_local_return_rate' or graduation_year = cohort_year) as is_followed
        from judged
    )

    select
        *,
        is_followed and case indicator_code
            when 'graduate_local_employment_rate' then destination_type = '就业' and employer_type = '企业' and is_local
            when 'non_local_return_rate' then started_outside and destination_type = '就业' and is_local
            else destination_type in ('就业', '自主创业') and is_local
        end as in_numerator,
        is_followed and case indicator_code
            when 'graduate_local_direct_employment_rate' then destination_type not in ('升学', '入伍')
            when 'non_local_return_rate' then started_outside
            else true
        end as in_denominator
    from followed
{%- endmacro %}
