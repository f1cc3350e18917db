"""Pure logic: the rules, the layers' contracts, the seed's generator. No server process, no
terminal; the seeded database of tests/conftest.py where a test needs one. Safe in parallel
(``pytest -n``): nothing here shares a port, a file or a process."""
