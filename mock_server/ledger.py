"""The invariants of the double-entry ledger, checked by SQL over the whole store."""

from __future__ import annotations

import sqlite3

# Each query returns the rows that break one rule (at most a few, for the message).
_CHECKS: tuple[tuple[str, str], ...] = (
    (
        "the opening of the cooperative's capital must be exactly one single-movement journal",
        """
        SELECT COUNT(DISTINCT j.id) AS journals, COUNT(m.id) AS movements
        FROM journal AS j LEFT JOIN movements AS m ON m.journal_id = j.id
        WHERE j.kind = 'apertura'
        HAVING journals <> 1 OR movements <> 1
        """,
    ),
    (
        "journals whose movements do not sum to zero (or have fewer than two)",
        """
        SELECT j.id, SUM(m.amount_cents) AS total, COUNT(m.id) AS n
        FROM journal AS j LEFT JOIN movements AS m ON m.journal_id = j.id
        WHERE j.kind <> 'apertura'
        GROUP BY j.id HAVING total IS NULL OR total <> 0 OR n < 2
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
        "accounts whose balance is not the balance after their last movement",
        """
        SELECT a.number, a.balance_cents FROM accounts AS a
        WHERE a.balance_cents <> COALESCE((
            SELECT m.balance_after_cents FROM movements AS m WHERE m.account_id = a.id
            ORDER BY m.posted_at DESC, m.id DESC LIMIT 1
        ), 0)
        LIMIT 5
        """,
    ),
    (
        "movements whose balance_after is not the running sum of their account",
        """
        SELECT id, balance_after_cents, running FROM (
            SELECT id, balance_after_cents, SUM(amount_cents) OVER (
                PARTITION BY account_id ORDER BY posted_at, id
            ) AS running
            FROM movements
        ) WHERE running <> balance_after_cents
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
        "the sum of all balances differs from the opening capital",
        """
        SELECT (SELECT SUM(balance_cents) FROM accounts) AS balances,
               (SELECT m.amount_cents FROM movements AS m JOIN journal AS j ON j.id = m.journal_id
                WHERE j.kind = 'apertura') AS capital
        WHERE balances IS NOT capital
        """,
    ),
)


def ledger_problems(conn: sqlite3.Connection) -> list[str]:
    """What breaks the ledger's rules (an empty list when all hold)."""
    problems = []
    for rule, query in _CHECKS:
        rows = conn.execute(query).fetchall()
        if rows:
            problems.append(f"{rule}: {[tuple(row) for row in rows]}")
    return problems
