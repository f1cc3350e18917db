"""Helpers for tests (of the server and of the TUI): a real server on a loopback port."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI

from sjvirtual_tui.models import API_PREFIX

# Test hook (set in a server process's environment): seconds the clearing waits before it asks
# for the write lock of each settlement. It stands for a clearing thread that is slow to get
# the lock (the threadpool busy, writers queued before it): whatever commits meanwhile must
# still come before the settlement in every statement (tests/api/test_ledger_order.py).
CLEARING_PAUSE_ENV = "SJVIRTUAL_TEST_CLEARING_PAUSE"


def pause_before_clearing_lock() -> None:
    """The clearing's test hook: a pause of :data:`CLEARING_PAUSE_ENV` seconds (unset: none)."""
    seconds = os.environ.get(CLEARING_PAUSE_ENV)
    if seconds:
        time.sleep(float(seconds))


@contextmanager
def run_server_in_thread(app: FastAPI, *, start_timeout: float = 10.0) -> Iterator[str]:
    """Serves ``app`` with uvicorn on 127.0.0.1 and a free port; yields its base URL.

    The socket is bound here (port 0), so the port is known before the server starts and no
    other process can take it in between.
    """
    # IPPROTO_TCP: so asyncio sets TCP_NODELAY on accepted connections (see mock_server.cli).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        # log_config=None: uvicorn installs no stderr handlers; its records go to the root
        # logger, which the TUI sends to its log file (stderr is the screen it draws on).
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", log_config=None))
        failure: list[BaseException] = []

        def serve() -> None:
            try:
                # Its own event loop: the caller's loop (a test's, the TUI's) stays untouched.
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # reported to the caller, who is waiting for us
                failure.append(exc)

        thread = threading.Thread(target=serve, name=f"mock-server-{port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + start_timeout
        while not server.started:
            if failure or not thread.is_alive():
                raise RuntimeError("the mock server did not start") from (
                    failure[0] if failure else None
                )
            if time.monotonic() > deadline:
                server.should_exit = True
                raise RuntimeError("the mock server did not start in time")
            time.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=start_timeout)
    finally:
        sock.close()


async def login_token(client: httpx.AsyncClient, username: str, password: str) -> str:
    """Logs in through the API and returns the bearer token (fails loudly otherwise)."""
    response = await client.post(
        f"{API_PREFIX}/auth/login", json={"username": username, "password": password}
    )
    if response.status_code != 200:
        raise AssertionError(
            f"login of {username!r} failed: {response.status_code} {response.text}"
        )
    token: str = response.json()["token"]
    return token
