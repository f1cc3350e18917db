"""INGRESAR: the security image of a username, login (with its lockout and terminals), profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_server.domain import mail, notifications
from mock_server.domain.clock import Clock
from mock_server.domain.errors import NotAuthenticated
from mock_server.domain.lockout import (
    MAX_FAILURES,
    clear_failures,
    failures,
    locked_error,
    record_failure,
)
from mock_server.domain.security import (
    PasswordChecker,
    decoy_image,
    hash_token,
    new_token,
    normalise_username,
)
from mock_server.domain.text import invalid
from mock_server.i18n import N_, _, language
from mock_server.store import Connection, members, write_transaction
from mock_server.store import sessions as session_store
from mock_server.store.members import Member
from sjvirtual_tui.models import SecurityImageId

__all__ = ["Login", "Member", "login", "parse_username", "profile", "security_image"]

INVALID_CREDENTIALS_MESSAGE = N_("Usuario o contraseña incorrectos.")

# How many times a login is tried again when the stored password hash changed under it.
MAX_HASH_RETRIES = 3


def parse_username(raw: str) -> str:
    """The username as stored (case and stray spaces do not matter); 422 when blank."""
    username = normalise_username(raw)
    if not username:
        raise invalid("username", _("Usuario: no puede estar vacío."))
    return username


def security_image(conn: Connection, raw_username: str) -> tuple[str, SecurityImageId]:
    """(the username, its security image; a stable decoy for an unknown one)."""
    username = parse_username(raw_username)
    # The same work for every name: the decoy is made and the member looked up either way.
    # A user who has not finished the PRIMER INGRESO has no image yet: the decoy, as for an
    # unknown name. Only the image is answered: nothing the member typed is shown before the
    # password (a phrase or question of the member's own words would tell a real user).
    decoy = decoy_image(members.decoy_secret(conn), username)
    image = members.security_image(conn, username)
    return username, decoy if image is None else SecurityImageId(image)


@dataclass(frozen=True)
class Login:
    token: str
    member: Member
    previous_login_at: datetime | None
    setup_required: bool
    device_token: str | None  # a new one for a terminal not known yet


def _invalid_credentials() -> NotAuthenticated:
    return NotAuthenticated("invalid_credentials", _(INVALID_CREDENTIALS_MESSAGE))


def login(
    conn: Connection,
    passwords: PasswordChecker,
    clock: Clock,
    raw_username: str,
    password: str,
    device_token: str | None,
) -> Login:
    """Opens a session; 423 for a locked name, 401 (counted) for a wrong password."""
    username = parse_username(raw_username)
    member = members.by_username(conn, username)
    # A locked username answers 423 before any password check, known or not.
    if failures(conn, username) >= MAX_FAILURES or (member and member.locked_at):
        raise locked_error()

    # The slow argon2 check runs outside the write lock so logins do not queue behind it.
    # Unknown names, and approved users who have no password yet, verify a dummy hash: the
    # answer takes as long as for a wrong password.
    if member is None or member.password_hash is None:
        passwords.verify(members.dummy_password_hash(conn), password)
        ok = False
    else:
        ok = passwords.verify(member.password_hash, password)

    now = clock.now()
    if not ok:
        with write_transaction(conn):
            count = record_failure(conn, username, member.id if member else None, now)
            if member is not None and member.password_hash is not None and member.role == "member":
                # The socio is told (issue 17); an unknown name or one without a password
                # tells nobody.
                notifications.failed_login(conn, now, member.id, username)
        if count >= MAX_FAILURES:
            raise locked_error()
        raise _invalid_credentials()

    assert member is not None and member.password_hash is not None
    token = new_token()
    issued: str | None = None
    # The hash the password was verified against. A parallel request may store another while
    # we verify: a simultaneous login of this member that rehashed the same password (the
    # server's argon2 parameters differ from the stored hash's), or a new password (recovery,
    # PRIMER INGRESO). The password is then verified against the stored hash, outside the
    # write lock, and the login tried again: a correct password succeeds, an old one is 401.
    verified_hash: str | None = member.password_hash
    for _attempt in range(MAX_HASH_RETRIES):
        assert verified_hash is not None
        new_hash = passwords.hash(password) if passwords.needs_rehash(verified_hash) else None
        with write_transaction(conn):
            # A parallel request may also have counted the 5th failure while we verified.
            current = members.by_id(conn, member.id)
            assert current is not None
            locked = current.locked_at is not None or failures(conn, username) >= MAX_FAILURES
            changed = current.password_hash != verified_hash
            if not locked and not changed:
                clear_failures(conn, username)
                # The member's e-mails from now on are in the language of this login.
                members.record_login(conn, member.id, now, language())
                if new_hash is not None:
                    members.set_password(conn, member.id, new_hash)
                session_store.open_session(conn, hash_token(token), member.id, now)
                issued = _check_device(conn, current, device_token, now)
                if current.role == "member" and current.status == "active":
                    # Issue 17: an instalment falling due is told at the login before it.
                    notifications.instalments_falling_due(conn, now, member.id)
        if locked:
            raise locked_error()
        if not changed:
            break
        verified_hash = current.password_hash
        if verified_hash is None or not passwords.verify(verified_hash, password):
            raise _invalid_credentials()
    else:  # pragma: no cover - the hash changed under every attempt
        raise _invalid_credentials()
    return Login(
        token=token,
        member=member,
        previous_login_at=member.last_login_at,
        setup_required=current.status != "active",
        device_token=issued,
    )


def _check_device(
    conn: Connection, member: Member, presented: str | None, now: datetime
) -> str | None:
    """The terminal of a successful login (inside its write transaction): None when
    ``presented`` is one of the member's device tokens, else a new token for it.

    A new terminal is e-mailed about, except at the member's very first login (there is no
    known terminal to tell it from). Only the tokens' SHA-256 is stored, like sessions'.
    ``member``: as read in the transaction, before this login was recorded.
    """
    if presented is not None and session_store.see_device(
        conn, hash_token(presented), member.id, now
    ):
        return None
    issued = new_token()
    session_store.add_device(conn, hash_token(issued), member.id, now)
    if member.last_login_at is not None:
        mail.new_device(conn, now, **mail.addressee(member), language=language())
    return issued


def profile(conn: Connection, member_id: int) -> Member:
    member = members.by_id(conn, member_id)
    assert member is not None  # a session's member is never deleted
    return member
