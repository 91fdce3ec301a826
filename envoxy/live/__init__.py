"""The live check: reflect a database and judge its tables (``envoxy check-db``)."""

from __future__ import annotations

__all__ = ["DatabaseError", "check_database", "reflect_tables"]


def __getattr__(name: str) -> object:
    # Lazy, so that importing the package does not import SQLAlchemy.
    if name in ("DatabaseError", "reflect_tables"):
        from envoxy.live import reflect

        return getattr(reflect, name)
    if name == "check_database":
        from envoxy.live.check import check_database

        return check_database
    raise AttributeError(name)
