"""An Empresa's registration request carries its Dirección.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04

No column changes: ``registrations.request_json`` is the request exactly as validated, and the
request model now requires ``direccion`` for an Empresa too. Requests stored before it have none;
they get a text that says so, so the teller's desk can still read them (and the teller asks the
applicant, as for any other missing detail).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

NOT_GIVEN = "(no consta en la solicitud)"


def _rewrite_empresa_requests(change: Callable[[dict[str, Any]], None]) -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, request_json FROM registrations WHERE kind = 'empresa'")
    ).fetchall()
    for row_id, text in rows:
        request = json.loads(text)
        before = dict(request)
        change(request)
        if request == before:
            continue
        conn.execute(
            sa.text("UPDATE registrations SET request_json = :json WHERE id = :id"),
            {"json": json.dumps(request, ensure_ascii=False, separators=(",", ":")), "id": row_id},
        )


def _add_address(request: dict[str, Any]) -> None:
    if not request.get("direccion"):
        request["direccion"] = NOT_GIVEN


def _drop_address(request: dict[str, Any]) -> None:
    request.pop("direccion", None)


def upgrade() -> None:
    _rewrite_empresa_requests(_add_address)


def downgrade() -> None:
    _rewrite_empresa_requests(_drop_address)
