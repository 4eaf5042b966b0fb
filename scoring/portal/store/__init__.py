"""The portal's storage: typed models, the engine, migrations, and the queries routes may use."""

from scoring.portal.store.db import Database

__all__ = ["Database"]
