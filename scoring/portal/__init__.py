"""The web portal: provincial offices upload and submit; the central office reviews, scores and
publishes; auditors read everything and verify published results.

``create_app(settings)`` builds the ASGI app (nothing is built at import). Routes are thin: they
check who may do what (``auth``), call the validator (``validation``), the scoring job that calls
the pipeline (``jobs``) and the store (``store``), and render pages from ``templates/portal``.

One folder per area, each with its routes and the view helpers only it uses: ``province`` (the
provincial office), ``review`` (the central office's review decisions), ``records`` (the central
office's records, 全国双打办 values), ``runs`` (scoring runs, results, publication, verification),
``auditor`` (the auditor role: config lint reports and the audit trail), ``accounts`` (signing in).
Shared by all: ``web``, ``forms``, ``parsing``, ``auth``, ``store``, ``jobs``, ``validation``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scoring.portal.settings import PortalSettings

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["PortalSettings", "create_app"]


def create_app(settings: PortalSettings) -> Starlette:
    """The portal's ASGI app for ``settings`` (see ``scoring.portal.app.create_app``)."""
    from scoring.portal.app import create_app as build

    return build(settings)
