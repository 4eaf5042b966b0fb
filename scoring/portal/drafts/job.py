"""``python -m scoring.portal.drafts.job ID``: one comparison job, started by the server (as the
scoring runs' jobs are: its own process, lower priority, ended with the server)."""

from __future__ import annotations

import sys

from scoring.portal.drafts.views import execute
from scoring.portal.jobs import job_process


def main(argv: list[str]) -> int:
    """Run the comparison named by ``argv[0]``; 0 when it succeeded."""
    job_id, settings, clock = job_process(argv)
    return 0 if execute(settings.database_url, settings, job_id, clock) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
