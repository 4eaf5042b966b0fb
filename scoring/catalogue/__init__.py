"""The task catalogue: an annual plan (工作要点) turned into sections, tasks and clauses."""
