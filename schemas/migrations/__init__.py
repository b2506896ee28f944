"""Alembic environment of the case record (``env.py``, ``versions/``)."""
