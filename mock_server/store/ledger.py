"""The ledger as stored: postings (journal, balances, movements) and its invariants in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mock_server.store.engine import Connection

# The chart of the cooperative's own accounts and the journal kinds: the bank's reference
# data, written here because the ledger's checks below name them (mock_server.domain.ledger
# posts with them).
# The cooperative's internal accounts (kind 'internal'; no holder).
CAJA_NUMBER = "99000001"
CAJA_NAME = "Caja general"
# Interbank transfers wait here between the member's debit and the clearing's answer: its
# balance is always the sum of the transfers en_proceso.
COMPENSACION_NUMBER = "99000002"
COMPENSACION_NAME = "Compensación interbancaria"
# What the clearing settled: money that left for other institutions.
SALIDAS_NUMBER = "99000003"
SALIDAS_NAME = "Salidas interbancarias"
# Pago de servicios: what members paid to the billers (its balance is the sum of the executed
# service payments).
RECAUDACION_NUMBER = "99000004"
RECAUDACION_NAME = "Recaudación de servicios"
# Pago de tarjetas: what members paid to their cooperative cards (the sum of those payments).
CARTERA_NUMBER = "99000005"
CARTERA_NAME = "Cartera de tarjetas"
# --- loans (issue 17) ---
# Préstamos: what members paid of their loans' instalments (the sum of those payments).
CREDITOS_NUMBER = "99000006"
CREDITOS_NAME = "Cartera de créditos"
# --- polizas (issue 17) ---
# Pólizas (depósitos a plazo fijo): the capital of every opened póliza (its balance is the sum
# of the pólizas completada).
PLAZO_NUMBER = "99000007"
PLAZO_NAME = "Depósitos a plazo"
# The journal of a póliza's opening: each belongs to exactly one póliza.
POLIZA_JOURNAL_KIND = "poliza_apertura"
# The whole chart, Caja general first: the seed opens these accounts in this order.
INTERNAL_ACCOUNTS = (
    (CAJA_NUMBER, CAJA_NAME),
    (COMPENSACION_NUMBER, COMPENSACION_NAME),
    (SALIDAS_NUMBER, SALIDAS_NAME),
    (RECAUDACION_NUMBER, RECAUDACION_NAME),
    (CARTERA_NUMBER, CARTERA_NAME),
    (CREDITOS_NUMBER, CREDITOS_NAME),  # loans (issue 17)
    # --- polizas (issue 17) ---
    (PLAZO_NUMBER, PLAZO_NAME),
)

# The journal kinds of transfers (the seed's history uses others): the checks below find every
# journal of these kinds through exactly one transfer.
TRANSFER_JOURNAL_KINDS = ("trf_propia", "trf_interna", "trf_interbancaria")
SETTLEMENT_JOURNAL_KINDS = ("liquidacion", "devolucion")
# The same for payments: each journal of these kinds belongs to exactly one payment.
PAYMENT_JOURNAL_KINDS = ("pago_servicio", "pago_tarjeta", "pago_tarjeta_externa")
PAYMENT_SETTLEMENT_JOURNAL_KINDS = ("liquidacion_pago", "devolucion_pago")

# The order of an account's statement (mock_server.domain.accounts) and of its running
# balance. Along an account's movements posted_at never goes back along seq (open_journal), so
# this is seq order; the (account_id, posted_at, seq) index serves both it and date ranges.
STATEMENT_ORDER = "posted_at, seq"


# PostgreSQL's posting sequence (migration 0003): two numbers per journal (its debit and
# credit), so it steps by two.
POSTING_SEQUENCE = "movements_posting_seq"


def open_journal(
    conn: Connection, now: str, kind: str, description: str, account_ids: Sequence[int]
) -> tuple[int, int, str]:
    """Inserts a journal and takes its posting, in one statement: (journal id, the debit's seq
    (the credit's is the next), posted_at). Called inside the write transaction once the
    balances of ``account_ids`` have moved (:func:`move`), so that their rows are locked.

    What the ledger asks of the posting: along each account's statement, ordered by
    ``posted_at``, the sequence only grows (:func:`statement_problems`). The time is ``now``,
    or the account's last movement's if that is later (a clock set back, or a ``now`` read
    before the lock), so a movement never sorts before one committed ahead of it.

    - SQLite: one writer at a time holds the file, so the sequence is the database's last seq
      + 1 (the commit order) and the time never goes back across the whole database.
    - PostgreSQL: writers of different accounts run side by side (``write_transaction`` with
      keys), so no number read from the table may be counted on: the sequence is a database
      sequence, and the time looks at the moved accounts only. Both are read after the rows'
      locks are held: a writer of the same account waited for the one before it to commit,
      so it sees that writer's movements and draws a larger number.
    """
    if conn.dialect == "sqlite":
        row = conn.execute(
            """
            INSERT INTO journal (created_at, kind, description)
            VALUES (
                COALESCE(
                    (SELECT CASE WHEN posted_at > :now THEN posted_at END
                     FROM movements ORDER BY seq DESC LIMIT 1),
                    :now
                ),
                :kind,
                :description
            )
            RETURNING id, created_at,
                COALESCE((SELECT seq FROM movements ORDER BY seq DESC LIMIT 1), 0) + 1
            """,
            {"now": now, "kind": kind, "description": description},
        ).fetchone()
        return int(row[0]), int(row[2]), str(row[1])
    # Each account's newest movement is one step down its (account_id, posted_at, seq) index.
    latest = ", ".join(
        f"(SELECT MAX(posted_at) FROM movements WHERE account_id = :a{i})"
        for i in range(len(account_ids))
    )
    params: dict[str, Any] = {"now": now, "kind": kind, "description": description}
    params.update({f"a{i}": account_id for i, account_id in enumerate(account_ids)})
    row = conn.execute(
        f"""
        INSERT INTO journal (created_at, kind, description)
        VALUES (GREATEST(:now, {latest}), :kind, :description)
        RETURNING id, created_at, nextval('{POSTING_SEQUENCE}')
        """,
        params,
    ).fetchone()
    return int(row[0]), int(row[2]), str(row[1])


def move(
    conn: Connection, debit_id: int, credit_id: int, amount_cents: int
) -> tuple[int, int] | None:
    """Takes ``amount_cents`` from one account and gives it to another in one statement; the
    new balances (debited, credited), or None when the debited account's available balance
    (balance - hold) does not cover it (then nothing changed)."""
    rows = conn.execute(
        """
        UPDATE accounts SET balance_cents = balance_cents
            + CASE WHEN id = :debit THEN -:amount ELSE :amount END
        WHERE id IN (:debit, :credit)
          AND (id <> :debit OR balance_cents - hold_cents >= :amount)
        RETURNING id, balance_cents
        """,
        {"debit": debit_id, "credit": credit_id, "amount": amount_cents},
    ).fetchall()
    balances = {int(row[0]): int(row[1]) for row in rows}
    if debit_id not in balances:
        if balances:  # the credit went through alone: undo it, the caller rolls back anyway
            conn.execute(
                "UPDATE accounts SET balance_cents = balance_cents - ? WHERE id = ?",
                (amount_cents, credit_id),
            )
        return None
    if credit_id not in balances:  # pragma: no cover - callers pass accounts they just read
        raise RuntimeError(f"account {credit_id} does not exist")
    return balances[debit_id], balances[credit_id]


def insert_movements(conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Movements as (journal_id, account_id, posted_at, description, reference, amount_cents,
    balance_after_cents, seq)."""
    conn.executemany(
        """
        INSERT INTO movements (journal_id, account_id, posted_at, description, reference,
            amount_cents, balance_after_cents, seq)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        rows,
    )


# Each query returns the rows that break one rule (at most a few, for the message). Written for
# both engines: a condition on a computed column filters an outer SELECT (PostgreSQL does not
# let WHERE or HAVING name a column alias of the same SELECT, SQLite does).
# Transfers and payments are held to the same three checks: their builders, by table (``o`` is
# the operation).
def _executed_check(table: str, credited: str) -> str:
    """Executed operations whose journal is not two movements: the origin's debit and the
    credit that ``credited`` (a condition on the movement ``m``) names."""
    return f"""
        SELECT o.reference FROM {table} AS o
        WHERE o.status IN ('completada', 'en_proceso', 'rechazada') AND (
            (SELECT COUNT(*) FROM movements WHERE journal_id = o.journal_id) <> 2
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m WHERE m.journal_id = o.journal_id
                AND m.account_id = o.from_account_id AND m.amount_cents = -o.amount_cents
            )
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m WHERE m.journal_id = o.journal_id
                AND m.amount_cents = o.amount_cents AND {credited}
            )
        )
        LIMIT 5
        """


def _settlement_check(table: str) -> str:
    """Settled operations whose settlement journal is not two movements, the credit going
    to Salidas (or back to the origin when rechazada)."""
    return f"""
        SELECT o.reference FROM {table} AS o
        WHERE o.settlement_journal_id IS NOT NULL AND (
            (SELECT COUNT(*) FROM movements WHERE journal_id = o.settlement_journal_id) <> 2
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m WHERE m.journal_id = o.settlement_journal_id
                AND m.amount_cents = o.amount_cents AND m.account_id = CASE o.status
                    WHEN 'rechazada' THEN o.from_account_id
                    ELSE (SELECT id FROM accounts WHERE number = '{SALIDAS_NUMBER}') END
            )
        )
        LIMIT 5
        """


def _owners_check(table: str, kinds: tuple[str, ...]) -> str:
    """Journals of ``kinds`` that belong to no operation of ``table``, or to more than one."""
    return f"""
        SELECT * FROM (
            SELECT j.id, j.kind, (
                SELECT COUNT(*) FROM {table} AS o
                WHERE o.journal_id = j.id OR o.settlement_journal_id = j.id
            ) AS owners
            FROM journal AS j
            WHERE j.kind IN {kinds!r}
        ) AS c WHERE owners <> 1
        LIMIT 5
        """


_CHECKS: tuple[tuple[str, str], ...] = (
    (
        "the opening of the cooperative's capital must be exactly one single-movement journal",
        """
        SELECT * FROM (
            SELECT COUNT(DISTINCT j.id) AS journals, COUNT(m.id) AS movements
            FROM journal AS j LEFT JOIN movements AS m ON m.journal_id = j.id
            WHERE j.kind = 'apertura'
        ) AS c WHERE journals <> 1 OR movements <> 1
        """,
    ),
    (
        "journals whose movements do not sum to zero (or have fewer than two)",
        """
        SELECT j.id, SUM(m.amount_cents) AS total, COUNT(m.id) AS n
        FROM journal AS j LEFT JOIN movements AS m ON m.journal_id = j.id
        WHERE j.kind <> 'apertura'
        GROUP BY j.id
        HAVING SUM(m.amount_cents) IS NULL OR SUM(m.amount_cents) <> 0 OR COUNT(m.id) < 2
        LIMIT 5
        """,
    ),
    (
        "accounts whose balance is not the sum of their movements",
        """
        SELECT a.number, a.balance_cents, COALESCE(t.total, 0) AS total
        FROM accounts AS a
        LEFT JOIN (
            SELECT account_id, SUM(amount_cents) AS total FROM movements GROUP BY account_id
        ) AS t ON t.account_id = a.id
        WHERE a.balance_cents <> COALESCE(t.total, 0)
        LIMIT 5
        """,
    ),
    (
        "negative balances or holds larger than the balance",
        """
        SELECT number FROM accounts
        WHERE balance_cents < 0 OR hold_cents < 0 OR hold_cents > balance_cents
        UNION ALL
        SELECT 'movement ' || id FROM movements WHERE balance_after_cents < 0
        LIMIT 5
        """,
    ),
    (
        "the settlement account's balance is not the sum of the transfers and external card "
        "payments en proceso",
        f"""
        SELECT * FROM (
            SELECT a.balance_cents, (
                SELECT COALESCE(SUM(amount_cents), 0) FROM transfers WHERE status = 'en_proceso'
            ) + (
                SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE status = 'en_proceso'
            ) AS pending
            FROM accounts AS a WHERE a.number = '{COMPENSACION_NUMBER}'
        ) AS c WHERE balance_cents <> pending
        """,
    ),
    (
        "executed transfers without their one journal of two movements from the origin",
        _executed_check(
            "transfers",
            credited=f"""m.account_id = CASE
                WHEN o.kind = 'interbancarias' THEN (
                    SELECT id FROM accounts WHERE number = '{COMPENSACION_NUMBER}'
                )
                ELSE o.to_account_id END""",
        ),
    ),
    (
        "settled interbank transfers without their one settlement journal of two movements",
        _settlement_check("transfers"),
    ),
    (
        "transfer journals that belong to no transfer, or to more than one",
        _owners_check("transfers", (*TRANSFER_JOURNAL_KINDS, *SETTLEMENT_JOURNAL_KINDS)),
    ),
    (
        "the collection accounts' balances are not the sums of their executed payments",
        f"""
        SELECT * FROM (
            SELECT a.number, a.balance_cents, (
                SELECT COALESCE(SUM(p.amount_cents), 0) FROM payments AS p
                WHERE p.status = 'completada' AND p.kind = CASE a.number
                    WHEN '{RECAUDACION_NUMBER}' THEN 'servicio' ELSE 'tarjeta' END
            ) AS paid
            FROM accounts AS a
            WHERE a.number IN ('{RECAUDACION_NUMBER}', '{CARTERA_NUMBER}')
        ) AS c WHERE balance_cents <> paid
        """,
    ),
    (
        "executed payments without their one journal of two movements from the origin",
        _executed_check(
            "payments",
            credited=f"""m.account_id = (
                SELECT id FROM accounts WHERE number = CASE o.kind
                    WHEN 'servicio' THEN '{RECAUDACION_NUMBER}'
                    WHEN 'tarjeta' THEN '{CARTERA_NUMBER}'
                    ELSE '{COMPENSACION_NUMBER}' END
            )""",
        ),
    ),
    (
        "settled external card payments without their one settlement journal of two movements",
        _settlement_check("payments"),
    ),
    (
        "payment journals that belong to no payment, or to more than one",
        _owners_check("payments", (*PAYMENT_JOURNAL_KINDS, *PAYMENT_SETTLEMENT_JOURNAL_KINDS)),
    ),
    (
        "bills whose paid amount is not the sum of their executed payments, or whose state "
        "does not follow from it",
        """
        SELECT b.id, b.status, b.amount_cents, b.paid_cents, t.total FROM bills AS b
        LEFT JOIN (
            SELECT bill_id, SUM(amount_cents) AS total, COUNT(*) AS n FROM payments
            WHERE kind = 'servicio' AND status = 'completada' GROUP BY bill_id
        ) AS t ON t.bill_id = b.id
        WHERE b.paid_cents <> COALESCE(t.total, 0)
           OR (b.status = 'pendiente' AND b.paid_cents >= b.amount_cents)
           OR (b.status = 'pagada' AND b.paid_by IS NULL AND b.paid_cents <> 0)
           OR (b.status = 'pagada' AND b.paid_cents > 0 AND NOT EXISTS (
                SELECT 1 FROM payments AS p WHERE p.id = b.paid_by AND p.bill_id = b.id
                AND p.kind = 'servicio' AND p.status = 'completada'
           ))
        LIMIT 5
        """,
    ),
    (
        "payments executed on a bill after it was paid",
        """
        SELECT p.reference FROM payments AS p JOIN bills AS b ON b.id = p.bill_id
        WHERE p.status = 'completada' AND b.status = 'pagada'
          AND (b.paid_by IS NULL OR p.journal_id > (
                SELECT journal_id FROM payments WHERE id = b.paid_by
          ))
        LIMIT 5
        """,
    ),
    (
        "cards whose paid amount is not the sum of their executed payments",
        """
        SELECT * FROM (
            SELECT c.id, c.paid_cents, (
                SELECT COALESCE(SUM(amount_cents), 0) FROM payments AS p
                WHERE p.card_id = c.id AND p.kind = 'tarjeta' AND p.status = 'completada'
            ) AS paid
            FROM cards AS c
        ) AS k WHERE paid_cents <> paid
        LIMIT 5
        """,
    ),
    (
        "the sum of all balances differs from the opening capital",
        """
        SELECT * FROM (
            SELECT (SELECT SUM(balance_cents) FROM accounts) AS balances,
                   (SELECT m.amount_cents FROM movements AS m
                    JOIN journal AS j ON j.id = m.journal_id WHERE j.kind = 'apertura') AS capital
        ) AS c
        WHERE balances <> capital OR (balances IS NULL) <> (capital IS NULL)
        """,
    ),
    # --- polizas (issue 17) ---
    (
        "the term deposits account's balance is not the sum of the opened pólizas",
        f"""
        SELECT * FROM (
            SELECT a.balance_cents, (
                SELECT COALESCE(SUM(amount_cents), 0) FROM polizas WHERE status = 'completada'
            ) AS opened
            FROM accounts AS a WHERE a.number = '{PLAZO_NUMBER}'
        ) AS c WHERE balance_cents <> opened
        """,
    ),
    (
        # Opened online the capital comes from the origin; at the branch (the seed), in cash.
        "opened pólizas without their one journal of two movements from the origin (or the "
        "Caja general) to the term deposits account",
        f"""
        SELECT o.reference FROM polizas AS o
        WHERE o.status = 'completada' AND (
            (SELECT COUNT(*) FROM movements WHERE journal_id = o.journal_id) <> 2
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m WHERE m.journal_id = o.journal_id
                AND m.amount_cents = -o.amount_cents AND (m.account_id = o.from_account_id
                    OR m.account_id = (SELECT id FROM accounts WHERE number = '{CAJA_NUMBER}'))
            )
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m WHERE m.journal_id = o.journal_id
                AND m.amount_cents = o.amount_cents
                AND m.account_id = (SELECT id FROM accounts WHERE number = '{PLAZO_NUMBER}')
            )
        )
        LIMIT 5
        """,
    ),
    (
        "póliza journals that belong to no póliza, or to more than one",
        """
        SELECT * FROM (
            SELECT j.id, (SELECT COUNT(*) FROM polizas AS o WHERE o.journal_id = j.id) AS owners
            FROM journal AS j WHERE j.kind = 'poliza_apertura'
        ) AS c WHERE owners <> 1
        LIMIT 5
        """,
    ),
)


# One pass over every account's movements in statement order. A running balance is the one
# before it plus its amount, from an opening balance of zero (an account opens empty), exactly
# when it is the sum of the amounts up to it: the sum is cheaper to compute in SQLite than
# LAG(). In the same order the posting sequence must only grow: a seq smaller than one before
# it means the times and the sequence disagree, and the statement is not in posting order.
_STATEMENT_PASS = f"""
    SELECT a.number, m.id, m.seq, m.posted_at, m.running, m.balance_after_cents,
           m.seq < m.latest AS out_of_order
    FROM (
        SELECT id, account_id, seq, posted_at, balance_after_cents,
               SUM(amount_cents) OVER statement AS running, MAX(seq) OVER statement AS latest
        FROM movements
        WINDOW statement AS (
            PARTITION BY account_id ORDER BY {STATEMENT_ORDER} ROWS UNBOUNDED PRECEDING
        )
    ) AS m JOIN accounts AS a ON a.id = m.account_id
    WHERE m.running <> m.balance_after_cents OR m.seq < m.latest
    LIMIT 10
"""

# The newest running balance of a statement is the account's balance.
_LAST_BALANCE = """
    SELECT * FROM (
        SELECT a.number, a.balance_cents, (
            SELECT m.balance_after_cents FROM movements AS m WHERE m.account_id = a.id
            ORDER BY m.posted_at DESC, m.seq DESC LIMIT 1
        ) AS last_after
        FROM accounts AS a
    ) AS c WHERE balance_cents <> COALESCE(last_after, 0)
    LIMIT 5
"""


def _problems(conn: Connection, checks: tuple[tuple[str, str], ...]) -> list[str]:
    problems = []
    for rule, query in checks:
        rows = conn.execute(query).fetchall()
        if rows:
            problems.append(f"{rule}: {[tuple(row) for row in rows]}")
    return problems


def statement_problems(conn: Connection) -> list[str]:
    """Where a statement's running balance would jump (an empty list when none does).

    Every account's movements, in statement order, must chain from the opening balance (zero)
    to the account's balance: each running balance the one before plus the movement's amount
    (credit - debit), the newest one the balance; and in that order the posting sequence must
    grow (sequence and times agree). Part of :func:`ledger_problems`.
    """
    # Positions, not names: callers' connections may have no row factory.
    rows = [tuple(row) for row in conn.execute(_STATEMENT_PASS)]
    chain = [(number, id_, running, shown) for number, id_, _, _, running, shown, _ in rows]
    chain = [row for row in chain if row[2] != row[3]]
    order = [(number, id_, seq, at) for number, id_, seq, at, _, _, late in rows if late]
    last = [tuple(row) for row in conn.execute(_LAST_BALANCE)]
    problems = []
    if chain:
        problems.append(
            "statements whose running balance does not chain from zero (account, movement, "
            f"opening + amounts up to it, running balance shown): {chain[:5]}"
        )
    if last:
        problems.append(
            "accounts whose balance is not the running balance of their last movement "
            f"(account, balance, last running balance): {last}"
        )
    if order:
        problems.append(
            "statements not in posting order: a movement sorts after one later in the "
            f"sequence (account, movement, seq, posted_at): {order[:5]}"
        )
    return problems


def ledger_problems(conn: Connection) -> list[str]:
    """What breaks the ledger's rules, the statements' included (an empty list when all hold)."""
    return _problems(conn, _CHECKS) + statement_problems(conn)


# --- loans (issue 17) ---
# Each journal of this kind belongs to exactly one loan payment, which credits "Cartera de
# créditos" (its balance: the sum of the executed loan payments).
LOAN_JOURNAL_KINDS = ("pago_prestamo",)
_CHECKS += (
    (
        "the loan portfolio's balance is not the sum of the executed loan payments",
        f"""
        SELECT * FROM (
            SELECT a.balance_cents, (
                SELECT COALESCE(SUM(amount_cents), 0) FROM loan_payments
                WHERE status = 'completada'
            ) AS paid
            FROM accounts AS a WHERE a.number = '{CREDITOS_NUMBER}'
        ) AS c WHERE balance_cents <> paid
        """,
    ),
    (
        "executed loan payments without their one journal of two movements from the origin",
        _executed_check(
            "loan_payments",
            credited=f"m.account_id = (SELECT id FROM accounts WHERE number = '{CREDITOS_NUMBER}')",
        ),
    ),
    (
        "loan payment journals that belong to no loan payment, or to more than one",
        f"""
        SELECT * FROM (
            SELECT j.id, (SELECT COUNT(*) FROM loan_payments AS o WHERE o.journal_id = j.id)
                AS owners
            FROM journal AS j WHERE j.kind IN ('{LOAN_JOURNAL_KINDS[0]}')
        ) AS c WHERE owners <> 1
        LIMIT 5
        """,
    ),
)


# --- teller counter (issue 18) ---

# Cash deposits and withdrawals at the counter, and the Caja general's fundings of the tellers'
# drawer accounts (numbers DRAWER_PREFIX + the teller's id): mock_server.domain.counter.
COUNTER_JOURNAL_KINDS = ("deposito_caja", "retiro_caja")
DRAWER_FUNDING_KIND = "dotacion_caja"
# A reversal of a counter operation (four eyes, migration 0012): the operation's journal undone.
COUNTER_REVERSAL_KIND = "reverso_caja"
DRAWER_PREFIX = "9901"

_CHECKS = (
    *_CHECKS,
    (
        "executed counter operations without their one journal of two movements between the "
        "socio's account and the teller's drawer",
        """
        SELECT o.reference FROM counter_operations AS o
        WHERE o.status = 'completada' AND (
            (SELECT COUNT(*) FROM movements WHERE journal_id = o.journal_id) <> 2
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m WHERE m.journal_id = o.journal_id
                AND m.account_id = o.account_id AND m.amount_cents = CASE o.kind
                    WHEN 'deposito' THEN o.amount_cents ELSE -o.amount_cents END
            )
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m WHERE m.journal_id = o.journal_id
                AND m.account_id = o.drawer_account_id AND m.amount_cents = CASE o.kind
                    WHEN 'deposito' THEN -o.amount_cents ELSE o.amount_cents END
            )
        )
        LIMIT 5
        """,
    ),
    (
        "counter journals that belong to no counter operation, or to more than one",
        f"""
        SELECT * FROM (
            SELECT j.id, j.kind, (
                SELECT COUNT(*) FROM counter_operations AS o WHERE o.journal_id = j.id
            ) AS owners
            FROM journal AS j
            WHERE j.kind IN {COUNTER_JOURNAL_KINDS!r}
        ) AS c WHERE owners <> 1
        LIMIT 5
        """,
    ),
    (
        "drawer fundings that are not one move from the Caja general to a teller's drawer",
        f"""
        SELECT j.id FROM journal AS j
        WHERE j.kind = '{DRAWER_FUNDING_KIND}' AND (
            (SELECT COUNT(*) FROM movements WHERE journal_id = j.id) <> 2
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m JOIN accounts AS a ON a.id = m.account_id
                WHERE m.journal_id = j.id AND m.amount_cents < 0 AND a.number = '{CAJA_NUMBER}'
            )
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m JOIN accounts AS a ON a.id = m.account_id
                WHERE m.journal_id = j.id AND m.amount_cents > 0
                AND a.number LIKE '{DRAWER_PREFIX}%' AND a.kind = 'internal'
            )
        )
        LIMIT 5
        """,
    ),
    (
        "drawer accounts whose balance is not their fundings less the deposits plus the "
        "withdrawals executed through them (each reversal undoing its operation)",
        f"""
        SELECT * FROM (
            SELECT a.number, a.balance_cents, (
                SELECT COALESCE(SUM(m.amount_cents), 0) FROM movements AS m
                JOIN journal AS j ON j.id = m.journal_id
                WHERE m.account_id = a.id AND j.kind = '{DRAWER_FUNDING_KIND}'
            ) - (
                SELECT COALESCE(SUM(amount_cents), 0) FROM counter_operations
                WHERE drawer_account_id = a.id AND status = 'completada' AND kind = 'deposito'
            ) + (
                SELECT COALESCE(SUM(amount_cents), 0) FROM counter_operations
                WHERE drawer_account_id = a.id AND status = 'completada' AND kind = 'retiro'
            ) + (
                SELECT COALESCE(SUM(CASE o.kind WHEN 'deposito' THEN o.amount_cents
                    ELSE -o.amount_cents END), 0)
                FROM counter_reversals AS r JOIN counter_operations AS o ON o.id = r.counter_op_id
                WHERE o.drawer_account_id = a.id AND r.status = 'reversada'
            ) AS expected
            FROM accounts AS a
            WHERE a.kind = 'internal' AND a.number LIKE '{DRAWER_PREFIX}%'
        ) AS c WHERE balance_cents <> expected
        LIMIT 5
        """,
    ),
)

_CHECKS = (
    *_CHECKS,
    (
        "reversed counter operations without their one journal of two movements that undo the "
        "operation's (socio's account and the teller's drawer)",
        f"""
        SELECT o.reference FROM counter_reversals AS r
        JOIN counter_operations AS o ON o.id = r.counter_op_id
        WHERE r.status = 'reversada' AND (
            o.status <> 'completada'
            OR (SELECT kind FROM journal WHERE id = r.journal_id) <> '{COUNTER_REVERSAL_KIND}'
            OR (SELECT COUNT(*) FROM movements WHERE journal_id = r.journal_id) <> 2
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m WHERE m.journal_id = r.journal_id
                AND m.account_id = o.account_id AND m.amount_cents = CASE o.kind
                    WHEN 'deposito' THEN -o.amount_cents ELSE o.amount_cents END
            )
            OR NOT EXISTS (
                SELECT 1 FROM movements AS m WHERE m.journal_id = r.journal_id
                AND m.account_id = o.drawer_account_id AND m.amount_cents = CASE o.kind
                    WHEN 'deposito' THEN o.amount_cents ELSE -o.amount_cents END
            )
        )
        LIMIT 5
        """,
    ),
    (
        "counter reversal journals that belong to no reversal, or to more than one",
        f"""
        SELECT * FROM (
            SELECT j.id, (
                SELECT COUNT(*) FROM counter_reversals AS r
                WHERE r.journal_id = j.id AND r.status = 'reversada'
            ) AS owners
            FROM journal AS j WHERE j.kind = '{COUNTER_REVERSAL_KIND}'
        ) AS c WHERE owners <> 1
        LIMIT 5
        """,
    ),
)
