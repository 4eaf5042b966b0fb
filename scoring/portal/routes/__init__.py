"""The portal's routes, one module per area: signing in, the home page, the provincial office, static."""
