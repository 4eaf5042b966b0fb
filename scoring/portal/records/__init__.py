"""The central office's records (全国双打办 values per unit): the form, the workbook and their history."""
