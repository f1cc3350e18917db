"""Passwords, session tokens and the decoy challenge shown for unknown usernames."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sjvirtual_tui.models import SecurityImageId

# Plausible phrases, in the style members choose, for the decoys of unknown usernames.
DECOY_PHRASES: tuple[str, ...] = (
    "Mi primer ahorro fue en San José",
    "El Chimborazo desde mi ventana",
    "Los domingos en el mercado de Otavalo",
    "Mi abuela hacía el mejor locro",
    "Cafecito de la mañana en Loja",
    "Las fiestas de mi pueblo en agosto",
    "Mi perro se llama Canelo",
    "La casa azul de la esquina",
    "Siempre ahorro para mis hijos",
    "El mar de Salinas en carnaval",
    "Mi primera bicicleta fue roja",
    "Cosecha de cacao con mi papá",
    "Colada morada en noviembre",
    "El parque de mi infancia en Riobamba",
    "Mi equipo ganó la final",
    "Tardes de pan de yuca",
    "Un viaje en tren por la Nariz del Diablo",
    "Las orquídeas de mi mamá",
)

_IMAGES: tuple[SecurityImageId, ...] = tuple(SecurityImageId)


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive; stray spaces around them are not part of the name."""
    return unicodedata.normalize("NFC", username).strip().lower()


def hash_token(token: str) -> str:
    """Only this digest is stored: a copy of the database opens no session."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def decoy_challenge(secret: bytes, username: str) -> tuple[SecurityImageId, str]:
    """The image and phrase shown for an unknown ``username``: stable, but unguessable."""
    digest = hmac.new(secret, normalise_username(username).encode("utf-8"), "sha256").digest()
    image = _IMAGES[int.from_bytes(digest[:4], "big") % len(_IMAGES)]
    phrase = DECOY_PHRASES[int.from_bytes(digest[4:8], "big") % len(DECOY_PHRASES)]
    return image, phrase


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
