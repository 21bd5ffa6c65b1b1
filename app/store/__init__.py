"""The local SQLite store: models, engine and session setup, migrations, queries."""
