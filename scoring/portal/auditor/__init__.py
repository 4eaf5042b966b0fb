"""The auditors' read-only area: config lint reports, runs and publications, and the audit trail."""
