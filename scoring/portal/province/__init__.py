"""The provincial office's area: its home page, template, uploads with findings, versions, submit."""
