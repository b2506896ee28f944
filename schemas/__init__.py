"""The case record and the job-variable contracts of jiuzhu.

- ``schemas.enums``: the vocabulary shared by tables and contracts (str enums, Chinese values).
- ``schemas.tables``: SQLModel tables of the case record, on their own ``MetaData``.
- ``schemas.contracts``: pydantic input/output models per job type and the ``JOB_TYPES`` registry.
- ``schemas.migrations``: the Alembic environment; ``schemas.migrate`` runs it from Python.

Table models and contract models are kept apart on purpose: a column change must not silently
change what a BPMN process receives, and the other way round.
"""
