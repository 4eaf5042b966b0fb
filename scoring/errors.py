"""Exceptions for "cannot go on"; everything else is returned as problems.

The whole tree::

    ScoringError                 base; ``str(exc)`` is a Chinese message for the user
     ├── InputError              an input file cannot be read at all (missing, empty, binary, encoding)
     │    └── NotAPlanError      readable text, but not a 工作要点 (no sections found)
     ├── OutputError             an output file cannot be written (nothing half-written is left)
     └── ConfigError             a YAML file is broken or invalid; carries its problems

The CLI turns any of them into a message and exit code 1; the core never prints or exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scoring.problems import Problem


class ScoringError(Exception):
    """Base of every error the engine raises on purpose."""


class InputError(ScoringError):
    """An input file cannot be read at all."""


class NotAPlanError(InputError):
    """The text was read but is not an annual plan."""


class OutputError(ScoringError):
    """An output file cannot be written."""


class ConfigError(ScoringError):
    """A configuration or catalogue file is broken; ``problems`` says where."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems
