"""``python -m scoring.portal.drafts.job ID``: one comparison job, started by the server (as the
scoring runs' jobs are: its own process, lower priority, ended with the server)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

from scoring.portal.drafts.views import execute
from scoring.portal.jobs import _die_with_parent, _terminate
from scoring.portal.settings import PortalSettings, utc_now


def main(argv: list[str]) -> int:
    """Run the comparison named by ``argv[0]``; 0 when it succeeded."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    job_id = int(argv[0])
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(int(os.environ["SCORING_JOB_PARENT"]))
    os.nice(5)  # the server's page requests come first
    options = json.loads(os.environ["SCORING_JOB_SETTINGS"])
    settings = PortalSettings(database_url=os.environ["SCORING_DB_URL"], root=Path(options["root"]),
                              data_dir=Path(options["data_dir"]) if options["data_dir"] else None,
                              instance=options["instance"])
    offset = timedelta(seconds=options["clock_offset_s"])
    return 0 if execute(settings.database_url, settings, job_id, lambda: utc_now() + offset) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
