"""Draft indicator configurations for an open or coming year: upload, audit, compare, adopt."""
