{#- Our own version of dbt_utils.unique_combination_of_columns: dbt Hub is out of reach here. -#}
{% test unique_combination(model, combination) %}
select {{ combination | join(', ') }}, count(*) as n
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1
{% endtest %}
