"""Excel workbooks: templates for provinces, and the safe reading and validation of uploads."""
