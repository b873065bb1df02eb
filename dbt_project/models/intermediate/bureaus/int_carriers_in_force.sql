{{ rows_in_force('carriers', 'stg_bureaus__carriers') }}
