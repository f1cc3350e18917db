"""Usernames cannot be probed before a password is typed: by what the answers say, or by how
long they take. Spoken to a real ``sjvirtual-mock-server`` process over HTTP, as an observer
would (issue 13, B6)."""

from __future__ import annotations

import math
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sjvirtual_tui.enums import SecurityImageId
from tests.api import (
    CHALLENGE,
    CODE,
    LOGIN,
    RECOVERY,
    RECOVERY_COMPLETE,
    RECOVERY_VERIFY,
    code_in,
    keyed,
)
from tests.database import DB, connect
from tests.loopback import ServerProcess
from tests.schema_files import as_schema_5

KNOWN = "demo"
CATALOG = {image.value for image in SecurityImageId}
RECOVERY_SUBJECT = "Código para recuperar su contraseña"


@pytest.fixture
def server(seeded_db: Path) -> Iterator[tuple[httpx.Client, Path]]:
    with ServerProcess(seeded_db) as process, httpx.Client(base_url=process.url) as client:
        yield client, seeded_db


def _query(db_path: DB, sql: str, *params: object) -> list[Any]:
    with connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def _recovery_mails(db_path: Path) -> list[tuple[str, str]]:
    return [
        (row["to_address"], row["body"])
        for row in _query(
            db_path, "SELECT to_address, body FROM outbox WHERE subject = ?", RECOVERY_SUBJECT
        )
    ]


def _wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# --- what the answers say ------------------------------------------------------------------------


def test_login_start_shows_only_an_image_from_one_catalog(
    server: tuple[httpx.Client, Path],
) -> None:
    client, db_path = server
    members = _query(db_path, "SELECT username, own_question FROM members WHERE status = 'active'")
    unknown = [f"nadie.{i}" for i in range(40)]
    answers = {}
    for name in [row["username"] for row in members] + unknown:
        response = client.post(CHALLENGE, json={"username": name})
        assert response.status_code == 200, response.text
        answers[name] = response.json()
    for name, answer in answers.items():
        # The same fields for everyone: the username as typed and an image, nothing else.
        assert set(answer) == {"username", "image"}, answer
        assert answer["username"] == name
        assert answer["image"] in CATALOG
    # Nothing a member wrote reaches the screen before the password.
    everything = str(answers)
    for row in members:
        assert row["own_question"] not in everything
    # The decoys: stable for a name, and spread over the whole catalog.
    again = client.post(CHALLENGE, json={"username": "NADIE.0 "}).json()
    assert again == answers["nadie.0"]
    assert len({answers[name]["image"] for name in unknown}) >= 8


def test_recovery_start_is_the_same_for_every_name_and_the_questions_need_the_code(
    server: tuple[httpx.Client, Path],
) -> None:
    client, db_path = server
    before = len(_recovery_mails(db_path))
    # Unknown, locked, and a real member: the same status and the same fields and values.
    answers = {
        name: client.post(RECOVERY, json={"username": name})
        for name in ("nadie.aqui", "bloqueado", KNOWN)
    }
    for name, response in answers.items():
        assert response.status_code == 202, response.text
        assert response.json() == {"username": name, "code_valid_minutes": 15}
    own_question = _query(db_path, "SELECT own_question FROM members WHERE username = ?", KNOWN)
    assert own_question[0][0] not in answers[KNOWN].text

    # The code goes to the member's mail after the answer; nothing to the unknown name.
    _wait_for(lambda: len(_recovery_mails(db_path)) > before)
    time.sleep(0.5)  # any other e-mail would be written by now
    mails = _recovery_mails(db_path)[before:]
    assert [to for to, _body in mails] == ["demo@socios.coacsanjose.ec"]
    code = code_in(mails[0][1])

    # A wrong code: the same counted refusal for the real name and the unknown one.
    wrong = "ABCD-EFGH-JK" if code != "ABCD-EFGH-JK" else "ABCD-EFGH-JM"
    refusals = [
        client.post(RECOVERY_VERIFY, json={"username": name, "code": wrong})
        for name in (KNOWN, "nadie.aqui")
    ]
    assert [r.status_code for r in refusals] == [401, 401]
    assert refusals[0].json() == refusals[1].json()
    assert refusals[0].json()["field"] == "code"
    # The right code under another name is no key to that name's questions.
    other = client.post(RECOVERY_VERIFY, json={"username": "socio2", "code": code})
    assert other.status_code == 401

    # The member's own question, only for the code of the e-mail.
    verified = client.post(RECOVERY_VERIFY, json={"username": KNOWN, "code": code})
    assert verified.status_code == 200, verified.text
    assert verified.json() == {
        "username": KNOWN,
        "own_question": "¿Cuál es mi volcán favorito?",
        "security_question": "¿Cuál es el nombre de su primera mascota?",
    }
    completed = client.post(
        RECOVERY_COMPLETE,
        json={
            "username": KNOWN,
            "own_answer": "cotopaxi",
            "security_answer": "Firulais",
            "code": code,
            "new_password": "Nueva2027x",
        },
        headers=keyed(),
    )
    assert completed.status_code == 204, completed.text
    login = client.post(LOGIN, json={"username": KNOWN, "password": "Nueva2027x"})
    assert login.status_code == 200
    assert CODE.search(login.text) is None


# --- how long the answers take -------------------------------------------------------------------


def mann_whitney_p(first: list[float], second: list[float]) -> float:
    """Two-sided p of the Mann-Whitney U test, by its normal approximation with the tie
    correction and a continuity correction (exact enough from ~20 values a side)."""
    n1, n2 = len(first), len(second)
    pooled = sorted([(value, 0) for value in first] + [(value, 1) for value in second])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1  # mean rank of the tied run
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    rank_sum = sum(rank for rank, (_value, group) in zip(ranks, pooled, strict=True) if group == 0)
    u = rank_sum - n1 * (n1 + 1) / 2
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance == 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(variance)
    return math.erfc(max(z, 0.0) / math.sqrt(2))


def test_mann_whitney_against_known_values() -> None:
    same = [float(i) for i in range(50)]
    assert mann_whitney_p(same, same) == pytest.approx(1.0, abs=0.02)
    # Disjoint samples of 10: U = 0, z = (50 - 0.5) / sqrt(175) = 3.742, p = 1.83e-4.
    assert mann_whitney_p(list(range(10)), list(range(10, 20))) == pytest.approx(1.83e-4, rel=0.01)
    # With ties, by hand: rank sum 25.5, U = 4.5, variance 3 * (13 - 18/132) = 38.59,
    # z = (13.5 - 0.5) / 6.212 = 2.093, p = 0.0364.
    assert mann_whitney_p([1, 2, 3, 4, 5, 6], [4, 5, 6, 7, 8, 9]) == pytest.approx(0.0364, abs=5e-4)


TRIES = 200
ALPHA = 0.01


def _timed_pairs(client: httpx.Client, path: str, seed: int) -> tuple[list[float], list[float]]:
    """``TRIES`` requests for the real name and as many for unknown ones, interleaved in pairs
    whose order is drawn at random (so neither side always follows the other)."""
    order = random.Random(seed)
    known: list[float] = []
    unknown: list[float] = []
    for i in range(TRIES):
        pair = [(KNOWN, known), (f"nadie.{seed}.{i}", unknown)]
        order.shuffle(pair)
        for name, times in pair:
            start = time.perf_counter()
            response = client.post(path, json={"username": name})
            times.append(time.perf_counter() - start)
            assert response.is_success, response.text
    return known, unknown


@pytest.mark.parametrize("path", [CHALLENGE, RECOVERY], ids=["login-start", "recovery-start"])
def test_a_real_name_takes_as_long_as_an_unknown_one(
    server: tuple[httpx.Client, Path], path: str
) -> None:
    client, _db_path = server
    for i in range(30):  # warm up: connections, caches, the first e-mails
        client.post(path, json={"username": KNOWN if i % 2 else f"warm.{i}"})
    known, unknown = _timed_pairs(client, path, seed=1)
    p = mann_whitney_p(known, unknown)
    if p < ALPHA:
        # One more run decides: a chance p < 0.01 of the same server twice in a row is 1e-4,
        # a real difference shows again (on the old code p was below 1e-6 every time).
        known, unknown = _timed_pairs(client, path, seed=2)
        p = mann_whitney_p(known, unknown)
    median_known = sorted(known)[TRIES // 2] * 1000
    median_unknown = sorted(unknown)[TRIES // 2] * 1000
    print(f"{path}: real {median_known:.2f} ms, unknown {median_unknown:.2f} ms, p = {p:.3g}")
    assert p >= ALPHA, (
        f"{path}: a real name answers in {median_known:.2f} ms (median), an unknown one in "
        f"{median_unknown:.2f} ms; p = {p:.2g}"
    )


@pytest.mark.sqlite_only("schema 5 is an SQLite file of the previous server, migrated on open")
def test_a_schema_5_file_forgets_the_phrases(seeded_db: Path) -> None:
    """An older server's file, where members' phrases are stored, opened by this server: the
    phrases are blanked (they are shown nowhere now) and recovery requests can be recorded."""
    conn = sqlite3.connect(seeded_db)
    try:
        as_schema_5(conn)
        conn.execute("UPDATE members SET security_phrase = 'Mi primer ahorro fue en San José'")
        conn.commit()
    finally:
        conn.close()
    with ServerProcess(seeded_db) as process, httpx.Client(base_url=process.url) as client:
        assert client.post(RECOVERY, json={"username": KNOWN}).status_code == 202
        _wait_for(lambda: len(_recovery_mails(seeded_db)) == 1)
    assert _query(seeded_db, "SELECT value FROM meta WHERE key = 'schema_version'")[0][0] == "6"
    phrases = {row[0] for row in _query(seeded_db, "SELECT security_phrase FROM members")}
    assert phrases == {""}
    assert _query(seeded_db, "SELECT COUNT(*) FROM recovery_requests")[0][0] == 1
