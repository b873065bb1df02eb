{{ rows_in_force('certified_enterprises', 'stg_bureaus__certified_enterprises') }}
