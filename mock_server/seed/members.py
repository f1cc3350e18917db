"""The members and their users: the socios with a S.J. Virtual user, and those without one.

The users finished their PRIMER INGRESO (security image and secret answers); "bloqueado" is
locked by five wrong passwords. Their passwords are public: the demo's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, Protocol

from argon2 import PasswordHasher

from mock_server.seed import masivo
from mock_server.seed.history import US_PER_SECOND, SeedAccount, db_time
from mock_server.store.meta import to_db
from sjvirtual_tui.models import AccountType, SecurityImageId
from sjvirtual_tui.rules import ECUADOR_TZ, normalise_answer


@dataclass(frozen=True)
class SecretAnswers:
    """A user's recovery questions: its own (free text) and one of the security questions."""

    own_question: str
    own_answer: str
    question_id: int  # in store.meta.SECURITY_QUESTIONS, from 1
    answer: str


class SeedUser(Protocol):
    """What a user's ``members`` row is made of (a member's or a teller's)."""

    @property
    def username(self) -> str: ...
    @property
    def password(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def image(self) -> SecurityImageId: ...
    @property
    def answers(self) -> SecretAnswers: ...


@dataclass(frozen=True)
class SeedMember:
    """A socio (holder) with a S.J. Virtual user that finished its PRIMER INGRESO."""

    username: str
    password: str
    full_name: str
    email: str
    image: SecurityImageId
    last_login: tuple[int, time] | None  # (days before the seeding day, Ecuador time)
    accounts: tuple[SeedAccount, ...]
    identification: str  # cédula (persona) or RUC (empresa) of the holder
    answers: SecretAnswers
    holder_kind: Literal["persona", "empresa"] = "persona"
    locked: bool = False


@dataclass(frozen=True)
class SeedHolder:
    """A socio without a S.J. Virtual user yet: what REGISTRO DE SOCIOS is for."""

    identification: str
    kind: Literal["persona", "empresa"]
    name: str
    accounts: tuple[SeedAccount, ...]


MEMBERS: tuple[SeedMember, ...] = (
    SeedMember(
        username="demo",
        password="Demo2026",
        full_name="María Fernanda Guamán Quispe",
        email="demo@socios.coacsanjose.ec",
        image=SecurityImageId.COLIBRI,
        last_login=(1, time(18, 42)),
        identification="1712345675",
        answers=SecretAnswers("¿Cuál es mi volcán favorito?", "Cotopaxi", 1, "Firulais"),
        accounts=(
            SeedAccount(
                "00104721",
                AccountType.AHORRO_VISTA,
                movements=1_200,
                days=730,
                target_low=200_000,
                target_high=500_000,
                hold_cents=15_000,
                salary_cents=95_000,
                monthly_fee=True,
            ),
            SeedAccount(
                "00204722",
                AccountType.AHORRO_PERSONAL,
                movements=150,
                days=730,
                target_low=800_000,
                target_high=1_200_000,
                annual_interest=0.05,
            ),
        ),
    ),
    SeedMember(
        username="socio2",
        password="Socio2026",
        full_name="Carlos Andrés Pillajo Tituaña",
        email="socio2@socios.coacsanjose.ec",
        image=SecurityImageId.CONDOR,
        last_login=(3, time(9, 15)),
        identification="1704567898",
        answers=SecretAnswers("¿En qué playa aprendí a nadar?", "Salinas", 2, "Riobamba"),
        accounts=(
            SeedAccount(
                "00105349",
                AccountType.AHORRO_VISTA,
                movements=50,
                days=365,
                target_low=30_000,
                target_high=150_000,
                monthly_fee=True,
            ),
        ),
    ),
    SeedMember(
        username="masivo",
        password="Masivo2026",
        full_name="Comercial Andina Cía. Ltda.",
        email="tesoreria@comercialandina.ec",
        image=SecurityImageId.FARO,
        last_login=(1, time(8, 5)),
        identification="1791234561001",
        holder_kind="empresa",
        answers=SecretAnswers("¿Cuál fue nuestro primer cliente?", "Kywi", 3, "Contador"),
        accounts=(masivo.ACCOUNT,),
    ),
    SeedMember(
        username="bloqueado",
        password="Bloqueado2026",
        full_name="Rosa Elena Chimbo",
        email="bloqueado@socios.coacsanjose.ec",
        image=SecurityImageId.LLAMA,
        last_login=(12, time(11, 20)),
        identification="0603123456",
        answers=SecretAnswers("¿Cuál es la flor que más me gusta?", "Orquídea", 4, "Sucre"),
        locked=True,
        accounts=(
            SeedAccount(
                "00104999",
                AccountType.AHORRO_VISTA,
                movements=20,
                days=200,
                target_low=10_000,
                target_high=60_000,
            ),
        ),
    ),
)


# Socios without a user (their accounts have a short history): registration demos and tests.
HOLDERS: tuple[SeedHolder, ...] = (
    SeedHolder(
        identification="1710034065",
        kind="persona",
        name="Luis Alberto Yánez Cevallos",
        accounts=(
            SeedAccount(
                "00107777",
                AccountType.AHORRO_VISTA,
                movements=12,
                days=120,
                target_low=20_000,
                target_high=80_000,
            ),
        ),
    ),
    SeedHolder(
        identification="0926687856",
        kind="persona",
        name="Gabriela Cisneros Mora",
        accounts=(
            SeedAccount(
                "00108888",
                AccountType.AHORRO_VISTA,
                movements=8,
                days=90,
                target_low=10_000,
                target_high=50_000,
            ),
        ),
    ),
    SeedHolder(
        identification="1792060346001",
        kind="empresa",
        name="Textiles Otavalo S.A.",
        accounts=(
            SeedAccount(
                "00190077",
                AccountType.AHORRO_VISTA,
                movements=40,
                days=365,
                target_low=500_000,
                target_high=2_000_000,
                commercial=True,
                monthly_fee=True,
            ),
        ),
    ),
)


def member_ids() -> dict[str, int]:
    """Username -> id of the members' users (the staff's come after them)."""
    return {member.username: index for index, member in enumerate(MEMBERS, start=1)}


def user_row(
    user: SeedUser,
    *,
    member_id: int,
    holder_id: int | None,
    role: str,
    created_at: str,
    hasher: PasswordHasher,
    locked_at: str | None = None,
    last_login_at: str | None = None,
) -> dict[str, Any]:
    """The ``members`` row of a user who finished the PRIMER INGRESO."""
    answers = user.answers
    return {
        "id": member_id,
        "username": user.username,
        "holder_id": holder_id,
        "status": "active",
        "password_hash": hasher.hash(user.password),
        "full_name": user.full_name,
        "email": user.email,
        "role": role,
        "security_image": user.image.value,
        "security_phrase": "",  # no security phrase since schema 6
        "own_question": answers.own_question,
        # Stored as the server compares them: hashes of the normalised answer.
        "own_answer_hash": hasher.hash(normalise_answer(answers.own_answer)),
        "question_id": answers.question_id,
        "answer_hash": hasher.hash(normalise_answer(answers.answer)),
        "locked_at": locked_at,
        "last_login_at": last_login_at,
        "created_at": created_at,
    }


def days_before_at(today: date, days_before: int, at: time) -> str:
    """The stored time of ``at`` (Ecuador time) ``days_before`` days before ``today``."""
    return to_db(datetime.combine(today - timedelta(days=days_before), at, tzinfo=ECUADOR_TZ))


def member_rows(
    today: date, opened: Mapping[int, int], hasher: PasswordHasher
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The members' users (``members``) and the failed logins that locked one
    (``login_failures``); ``opened``: holder id -> its first movement (epoch microseconds)."""
    users: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for holder_id, member in enumerate(MEMBERS, start=1):
        last_login = None
        if member.last_login is not None:
            last_login = days_before_at(today, *member.last_login)
        locked_at = None
        if member.locked:
            # Locked the day after their last login, by five wrong passwords in a row.
            locked_at = days_before_at(today, 2, time(10, 3))
            failures.append({"username": member.username, "count": 5, "last_at": locked_at})
        users.append(
            user_row(
                member,
                member_id=holder_id,
                holder_id=holder_id,
                role="member",
                # A quarter of an hour before their first movement.
                created_at=db_time(opened[holder_id] - 15 * 60 * US_PER_SECOND),
                hasher=hasher,
                locked_at=locked_at,
                last_login_at=last_login,
            )
        )
    return users, failures
