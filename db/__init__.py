"""The archive: SQLAlchemy models, sessions, migrations and queries. Knows records, not Qt."""
