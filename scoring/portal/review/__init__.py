"""The central office's review of submissions: the dashboard, accept, return, reopen and 审核调整."""
