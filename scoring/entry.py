"""The ``scoring`` command's entry point: Ctrl-C is a Chinese line and exit 130 from the first moment.

Kept free of heavy imports, so that an interrupt while the command line itself is still being
imported is handled like one during the work.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Import and run the command line; an interrupt at any point ends with exit code 130."""
    try:
        from scoring.cli import main as run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("已中断：未作任何更改\n")
        sys.exit(130)
