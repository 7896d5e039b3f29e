"""Alembic migrations, shipped inside the package so `harvest db upgrade` works from a wheel."""
