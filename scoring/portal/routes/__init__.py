"""The portal's routes, one module per area: signing in, the home page, the provincial office, the
central office (review, central records), scoring runs and results, the auditors, static files."""
