"""The app factory: settings in, a FastAPI app out (tests build it the same way)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from argon2 import PasswordHasher
from fastapi import FastAPI

from mock_server.api import (
    access,
    accounts,
    admin,
    auth,
    beneficiaries,
    cards,
    certificates,  # issue 17
    challenges,
    counter,
    notifications,
    onboarding,
    outbox,
    payments,
    polizas,
    registration,
    self_service,
    transfers,
)
from mock_server.api import loans as loans_api  # --- loans (issue 17) ---
from mock_server.api.deps import ServerState
from mock_server.api.errors import install_error_handlers
from mock_server.api.statuses import document_statuses
from mock_server.api.wire import UnicodeGuard
from mock_server.domain.clearing import DEFAULT_DELAY_SECONDS, ClearingSettings
from mock_server.domain.clock import Clock, SystemClock
from mock_server.domain.pin_limits import DEFAULT_PIN_LIMITS, PinLimits
from mock_server.domain.security import PasswordChecker
from mock_server.i18n import LanguageMiddleware
from mock_server.store import Database
from mock_server.store.migrate import init_db
from sjvirtual_tui.models import API_PREFIX, Health

IDLE_TIMEOUT_SECONDS = 300


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: ServerState = app.state.server
    state.connections.open()
    try:
        yield
    finally:
        # The pooled connections are closed at shutdown (the last one checkpoints the log).
        state.connections.close()


def create_app(
    database: Path | str | Database,
    *,
    clock: Clock | None = None,
    idle_timeout_seconds: int = IDLE_TIMEOUT_SECONDS,
    hasher: PasswordHasher | None = None,
    demo: bool = False,
    clearing_delay_seconds: int = DEFAULT_DELAY_SECONDS,
    pin_limits: PinLimits = DEFAULT_PIN_LIMITS,
) -> FastAPI:
    """The server over ``database``: an SQLite file's path, a database URL (``sqlite:///PATH``,
    ``postgresql://USER@HOST/NAME``) or a :class:`Database` (schema created if new; never
    seeded here).

    ``demo=True`` adds ``GET /api/v1/demo/outbox``, which shows every e-mail (and so every
    code) to anyone who asks: only for the bundled demo, never for a server others can reach.

    ``clearing_delay_seconds``: how long an interbank transfer stays en_proceso before the
    simulated clearing settles it (on the next request that reads transfers or accounts).

    ``pin_limits``: operations awaiting a PIN and PIN e-mails a member may have on the way.
    """
    if idle_timeout_seconds <= 0:
        raise ValueError("idle_timeout_seconds must be positive")
    if clearing_delay_seconds < 0:
        raise ValueError("clearing_delay_seconds cannot be negative")
    if not isinstance(database, Database):
        database = Database(database)
    init_db(database, hasher)

    app = FastAPI(
        title="S.J. Virtual mock server",
        version="1.0.0",
        description="The bundled server of sjvirtual-tui. The API is described in docs/api.md.",
        lifespan=_lifespan,
    )
    app.state.server = ServerState(
        database=database,
        clock=clock or SystemClock(),
        idle_timeout_seconds=idle_timeout_seconds,
        passwords=PasswordChecker(hasher),
        pin_limits=pin_limits,
    )
    app.state.clearing = ClearingSettings(delay_seconds=clearing_delay_seconds)
    install_error_handlers(app)
    # Text that is not Unicode is refused before routing (inside the language middleware,
    # so the 422 is in the request's language).
    app.add_middleware(UnicodeGuard)
    # Each request answers in its Accept-Language (es, the default, or en): errors included.
    app.add_middleware(LanguageMiddleware)
    # Routes are matched in this order, each router's one by one (a regex and some bookkeeping
    # each): the busiest, POST /transfers, comes first.
    app.include_router(transfers.router, prefix=API_PREFIX)
    app.include_router(auth.router, prefix=API_PREFIX)
    app.include_router(onboarding.router, prefix=API_PREFIX)
    app.include_router(accounts.router, prefix=API_PREFIX)
    app.include_router(registration.router, prefix=API_PREFIX)
    app.include_router(admin.router, prefix=API_PREFIX)
    app.include_router(beneficiaries.router, prefix=API_PREFIX)
    app.include_router(payments.router, prefix=API_PREFIX)
    app.include_router(cards.router, prefix=API_PREFIX)
    app.include_router(challenges.router, prefix=API_PREFIX)
    # --- certificates (issue 17) ---
    app.include_router(certificates.router, prefix=API_PREFIX)
    # --- polizas (issue 17) ---
    app.include_router(polizas.router, prefix=API_PREFIX)
    # --- loans (issue 17) ---
    app.include_router(loans_api.router, prefix=API_PREFIX)
    # --- notifications (issue 17) ---
    app.include_router(notifications.router, prefix=API_PREFIX)
    # --- self-service ---
    app.include_router(self_service.router, prefix=API_PREFIX)
    # --- approvals and audit (issue 18) ---
    app.include_router(access.router, prefix=API_PREFIX)
    if demo:
        app.include_router(outbox.router, prefix=API_PREFIX)
    # --- teller counter (issue 18) ---
    app.include_router(counter.router, prefix=API_PREFIX)

    @app.get("/health", response_model=Health, tags=["health"], summary="Liveness, no database")
    def health() -> Health:
        return Health()

    # Every status a route can answer, read from its code, in the document.
    document_statuses(app)

    return app
