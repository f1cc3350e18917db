"""The store's Alembic migrations (run by :func:`mock_server.store.migrate.init_db`).

``versions/`` holds one file per revision; :data:`HEAD` names the newest, so that a start-up can
tell an up-to-date database with one SELECT and without importing Alembic (a test checks that
it is the scripts' head).
"""

HEAD = "0001"

# Every process that may migrate takes this lock first (PostgreSQL): two workers started at
# once migrate one after the other, and the second finds the work done.
MIGRATION_LOCK_KEY = 0x534A5602  # "SJV" 2
