"""The desk's database: SQLAlchemy models, repositories, migrations and the search index."""
