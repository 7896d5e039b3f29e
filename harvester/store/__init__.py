"""ADAPTER: the database (SQLAlchemy 2 Core, async: aiosqlite by default, asyncpg in production)."""
