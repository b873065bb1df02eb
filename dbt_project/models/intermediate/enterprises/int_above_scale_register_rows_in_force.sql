{{ rows_in_force('above_scale_register', 'stg_bureaus__above_scale_enterprises') }}
