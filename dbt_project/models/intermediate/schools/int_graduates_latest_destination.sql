-- Each graduate of the workbooks in force, once, by the latest destination record with survey_date
-- <= end of P (indicators.md "Cohort"), with where their earliest 就业 record placed them.
-- A graduate is (school_code, student_id); cohort Y = year(P) from September, else year(P) - 1.
with schools as (
    select * from {{ ref('int_schools_in_force') }}
),

destinations as (
    select * from {{ ref('stg_schools__graduate_destinations') }}
),

records as (
    select
        schools.period,
        {{ cohort_year('schools.period') }} as cohort_year,
        schools.school_code,
        schools.region_code as school_region_code,
        schools.school_stage,
        destinations.load_id,
        destinations.source_sheet,
        destinations.source_row,
        destinations.student_id_hash,
        destinations.graduation_year,
        destinations.destination_type,
        destinations.employer_type,
        destinations.employer_region_code,
        destinations.survey_date
    from schools
    inner join destinations
        on destinations.load_id = schools.load_id
    where destinations.survey_date <= {{ period_end('schools.period') }}
),

ranked as (
    select
        *,
        row_number()
            over (partition by period, school_code, student_id_hash order by survey_date desc, source_row desc)
            as latest,
        row_number() over (
            partition by period, school_code, student_id_hash
            order by case when destination_type = '就业' then 0 else 1 end, survey_date, source_row
        ) as first_employment
    from records
),

earliest_employment as (
    select
        period,
        school_code,
        student_id_hash,
        employer_region_code as earliest_employment_region_code,
        source_row as earliest_employment_source_row  -- the row auditors see for 回流's denominator
    from ranked
    where first_employment = 1 and destination_type = '就业'
),

final as (
    select
        ranked.period,
        ranked.cohort_year,
        ranked.school_code,
        ranked.school_region_code,
        ranked.school_stage,
        ranked.load_id,
        ranked.source_sheet,
        ranked.source_row,
        ranked.student_id_hash,
        ranked.graduation_year,
        ranked.destination_type,
        ranked.employer_type,
        ranked.employer_region_code,
        earliest_employment.earliest_employment_region_code,
        earliest_employment.earliest_employment_source_row
    from ranked
    left join earliest_employment
        on earliest_employment.period = ranked.period
            and earliest_employment.school_code = ranked.school_code
            and earliest_employment.student_id_hash = ranked.student_id_hash
    where ranked.latest = 1
)

select * from final
