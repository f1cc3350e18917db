"""Certificados bancarios: a member asks for one of an account; a teller verifies its code.

The rules (the band of the average balance, the code) are
:mod:`mock_server.domain.certificates`'s; the PDF is drawn by the client.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from mock_server.api.deps import Conn, Staff, State
from mock_server.api.errors import ONE_RECORD, SESSION_ROUTES, error_responses
from mock_server.api.idempotency import MemberKey, Outcome
from mock_server.api.socio import SettledSocio
from mock_server.domain import certificates
from sjvirtual_tui.models import Certificate, CertificateCheck, CertificateRequest

router = APIRouter(tags=["certificates"], responses=SESSION_ROUTES)

CertificateBody = Annotated[
    CertificateRequest,
    Body(openapi_examples={"cuenta": {"value": {"account_number": "00105349"}}}),
]
# As typed from the paper: case and the dashes' place are checked by the lookup itself.
CodePath = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9-]{1,20}$",
        description="The certificate's verification code, e.g. CB-7K2M-9XQ4.",
    ),
]


@router.post(
    "/certificates",
    status_code=201,
    response_model=Certificate,
    responses=error_responses(404, 409, 422),
    summary="Certificado bancario of one of the member's accounts (its code is kept)",
)
def issue_certificate(
    body: CertificateBody, member: SettledSocio, idem: MemberKey, state: State, conn: Conn
) -> Response:
    def effect() -> Outcome:
        certificate = certificates.issue(conn, member, body.account_number, state.clock.now())
        return Outcome(201, certificate)

    return idem.run(conn, effect)


@router.get(
    "/staff/certificates/{code}",
    response_model=CertificateCheck,
    responses=ONE_RECORD,
    tags=["staff"],
    summary="Verify a certificate by its code (staff only; the account masked)",
)
def verify_certificate(code: CodePath, staff: Staff, conn: Conn) -> CertificateCheck:
    return certificates.verify(conn, code)
