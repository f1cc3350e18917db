"""The store's Alembic migrations (run by :func:`mock_server.store.migrate.init_db`).

``versions/`` holds one file per revision; :data:`HEAD` names the newest, so that a start-up can
tell an up-to-date database with one SELECT and without importing Alembic (a test checks that
it is the scripts' head).

A new revision (number it after the last; set :data:`HEAD` to it)::

    .venv/bin/python -c "from alembic import command; \\
        from mock_server.store.migrate import alembic_config; \\
        command.revision(alembic_config(), 'what changes', rev_id='0002')"

then write its upgrade() by hand (``op.batch_alter_table`` for SQLite's table copies) and change
:mod:`mock_server.store.schema` to match (a test compares the two).
"""

HEAD = "0012"

# Every process that may migrate takes this lock first (PostgreSQL): two workers started at
# once migrate one after the other, and the second finds the work done.
MIGRATION_LOCK_KEY = 0x534A5602  # "SJV" 2
