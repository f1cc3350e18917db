"""The HTTP layer: FastAPI routers that parse, call one domain function, and map domain errors to
HTTP in one place (errors.py). No SQL, no rules."""
