"""Passwords, session tokens, one-time codes and the decoy images of unknown usernames."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sjvirtual_tui.models import SecurityImageId

_IMAGES: tuple[SecurityImageId, ...] = tuple(SecurityImageId)

# One-time codes: 10 symbols of 32 (50 bits) without the look-alikes 0/O and 1/I, so a code
# read from an e-mail or a phone screen is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive; stray spaces around them are not part of the name."""
    return unicodedata.normalize("NFC", username).strip().lower()


def hash_token(token: str) -> str:
    """Only this digest is stored: a copy of the database opens no session."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def new_code() -> str:
    """A one-time code as the member reads it, grouped: ``ABCD-EFGH-JK``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str:
    """What is compared: no dashes or spaces, upper case (``abcd efgh-jk`` == ``ABCD-EFGH-JK``)."""
    return "".join(code.split()).replace("-", "").upper()


def hash_code(code: str) -> str:
    """Only this digest is stored (50 random bits, single use, short-lived: SHA-256 suffices)."""
    return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()


def decoy_image(secret: bytes, username: str) -> SecurityImageId:
    """The image shown for an unknown ``username``: from the members' catalog, stable, but
    unguessable without the secret (the same pick as before the phrase was dropped, so a
    name's decoy did not change with it)."""
    digest = hmac.new(secret, normalise_username(username).encode("utf-8"), "sha256").digest()
    return _IMAGES[int.from_bytes(digest[:4], "big") % len(_IMAGES)]


class PasswordChecker:
    """argon2id hashing and verification (the hasher is injectable for tests)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return False
