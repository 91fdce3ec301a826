"""SQLAlchemy integration: :mod:`envoxy.db.envoxy_mixin` (imports SQLAlchemy; import it directly)."""
