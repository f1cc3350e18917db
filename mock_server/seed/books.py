"""The cooperative's books: the socios, their accounts and every movement, in double entry.

Every member movement is paired with a movement of the cooperative's "Caja general" in the same
journal; the Caja general starts with the cooperative's capital, the other internal accounts
empty. Ids follow one timeline for the whole cooperative.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from mock_server.domain.ledger import CAJA_NAME, CAJA_NUMBER, INTERNAL_ACCOUNTS
from mock_server.seed.history import US_PER_DAY, Event, SeedAccount, db_time, generate_events
from mock_server.seed.masivo import movement_count
from mock_server.seed.members import HOLDERS, MEMBERS, SeedHolder, SeedMember

# The cooperative's opening capital: far above what all members ever hold together.
CAPITAL_CENTS = 250_000_000  # $2.500.000,00
CAJA_ID = 1

Row = dict[str, Any]


# The two tables of many rows, as named tuples in the tables' column order: the store sends
# them as they are (mock_server.store.bulk), and 200,000 of them cost less than dicts.
class JournalRow(NamedTuple):
    id: int
    created_at: str
    kind: str
    description: str


class MovementRow(NamedTuple):
    id: int
    journal_id: int
    account_id: int
    posted_at: str
    description: str
    reference: str
    amount_cents: int
    balance_after_cents: int
    seq: int


@dataclass
class Books:
    """The rows of ``holders``, ``accounts``, ``journal`` and ``movements``, and what the other
    areas of the seed need to know of them."""

    opening: str  # when the cooperative's history starts (the capital's journal)
    holders: list[Row] = field(default_factory=list)
    accounts: list[Row] = field(default_factory=list)
    journal: list[JournalRow] = field(default_factory=list)
    movements: list[MovementRow] = field(default_factory=list)
    account_ids: dict[str, int] = field(default_factory=dict)  # by cartola number
    holder_names: dict[str, str] = field(default_factory=dict)  # by cartola number
    # holder id -> its first movement (epoch microseconds)
    opened: dict[int, int] = field(default_factory=dict)


def write_books(master: random.Random, now: datetime, bulk: bool) -> Books:
    """Every account's history (each from its own generator, derived from ``master``) and the
    cooperative's side of it."""
    # Each account draws from its own generator, derived in a fixed order, so that the bulk
    # switch changes only the "masivo" account and nothing else. The holders without a user
    # come after the members: adding them left the members' histories as they were.
    owners: tuple[SeedMember | SeedHolder, ...] = (*MEMBERS, *HOLDERS)
    generated: list[tuple[SeedMember | SeedHolder, SeedAccount, list[Event]]] = []
    for owner in owners:
        for spec in owner.accounts:
            rng = random.Random(master.getrandbits(64))
            events = generate_events(spec, movement_count(spec, bulk), now, rng)
            generated.append((owner, spec, events))

    # One timeline for the whole cooperative: ids follow (posted_at, account, sequence), so
    # the Caja general's running balance and every account's keyset order agree.
    timeline = sorted(
        (event.at_us, index, seq, event)
        for index, (_member, _spec, events) in enumerate(generated)
        for seq, event in enumerate(events)
    )
    opening = db_time(timeline[0][0] - US_PER_DAY)
    books = Books(opening=opening)
    books.account_ids = {spec.number: CAJA_ID + 1 + i for i, (_m, spec, _e) in enumerate(generated)}
    caja_balance = _journal(books, timeline, [spec.number for _o, spec, _e in generated])
    _accounts(books, owners, generated, caja_balance)
    return books


def _journal(books: Books, timeline: list[tuple[int, int, int, Event]], numbers: list[str]) -> int:
    """The journal and its movements: each event and its Caja general counterpart; the Caja
    general's final balance."""
    opening = books.opening
    books.journal.append(JournalRow(1, opening, "apertura", "Capital inicial de la cooperativa"))
    # The posting sequence (seq) is the id: the ids follow the timeline.
    books.movements.append(
        MovementRow(
            1,
            1,
            CAJA_ID,
            opening,
            "Capital inicial de la cooperativa",
            "APE-0000001",
            CAPITAL_CENTS,
            CAPITAL_CENTS,
            1,
        )
    )
    caja_balance = CAPITAL_CENTS
    journal, movements, account_ids = books.journal, books.movements, books.account_ids
    for i, (at_us, index, _seq, event) in enumerate(timeline):
        journal_id = i + 2
        posted_at = db_time(at_us)
        number = numbers[index]
        caja_balance -= event.amount_cents
        journal.append(JournalRow(journal_id, posted_at, event.journal_kind, event.description))
        movements.append(
            MovementRow(
                2 * i + 2,
                journal_id,
                account_ids[number],
                posted_at,
                event.description,
                event.reference,
                event.amount_cents,
                event.balance_after_cents,
                2 * i + 2,
            )
        )
        movements.append(
            MovementRow(
                2 * i + 3,
                journal_id,
                CAJA_ID,
                posted_at,
                f"{event.description} · cta. {number}",
                event.reference,
                -event.amount_cents,
                caja_balance,
                2 * i + 3,
            )
        )
    return caja_balance


def _accounts(
    books: Books,
    owners: tuple[SeedMember | SeedHolder, ...],
    generated: list[tuple[SeedMember | SeedHolder, SeedAccount, list[Event]]],
    caja_balance: int,
) -> None:
    """The holders, their accounts (balance: their last movement's) and the internal ones."""
    books.accounts.append(
        _account(
            CAJA_ID, CAJA_NUMBER, None, "internal", None, CAJA_NAME, caja_balance, 0, books.opening
        )
    )
    for holder_id, owner in enumerate(owners, start=1):
        kind = owner.holder_kind if isinstance(owner, SeedMember) else owner.kind
        name = owner.full_name if isinstance(owner, SeedMember) else owner.name
        books.holders.append(
            {"id": holder_id, "identification": owner.identification, "kind": kind, "name": name}
        )
        own = [(spec, events) for o, spec, events in generated if o is owner]
        books.opened[holder_id] = min(events[0].at_us for _spec, events in own)
        for spec, events in own:
            books.holder_names[spec.number] = name
            books.accounts.append(
                _account(
                    books.account_ids[spec.number],
                    spec.number,
                    holder_id,
                    "member",
                    spec.type.value,
                    None,
                    events[-1].balance_after_cents,
                    spec.hold_cents,
                    db_time(events[0].at_us),
                )
            )
    # The other internal accounts come after every member account (whose ids stay as they
    # were before these existed).
    first = len(books.account_ids) + 2
    for i, (number, name) in enumerate(INTERNAL_ACCOUNTS[1:]):
        books.accounts.append(
            _account(first + i, number, None, "internal", None, name, 0, 0, books.opening)
        )


def _account(
    account_id: int,
    number: str,
    holder_id: int | None,
    kind: str,
    type_: str | None,
    name: str | None,
    balance_cents: int,
    hold_cents: int,
    opened_at: str,
) -> Row:
    return {
        "id": account_id,
        "number": number,
        "holder_id": holder_id,
        "kind": kind,
        "type": type_,
        "name": name,
        "balance_cents": balance_cents,
        "hold_cents": hold_cents,
        "status": "activa",
        "opened_at": opened_at,
    }
