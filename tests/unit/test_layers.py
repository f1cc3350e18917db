"""What the server's import-linter contracts cannot see: SQL runs only in ``mock_server/store``.

The contracts keep drivers out of the other layers, but a module above the store could still
hand SQL text to a ``Connection`` it was given. These read the code (its syntax tree, not its
text, so comments and docstrings do not count) and name each place that does.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import mock_server

SERVER = Path(mock_server.__file__).parent
STORE = SERVER / "store"
# A string that is a statement: the store's business.
SQL_TEXT = re.compile(
    r"^\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|WITH\s+\w+\s+AS)\b"
)
RUNS_SQL = {"execute", "executemany", "executescript"}


def sql_calls(tree: ast.AST) -> list[int]:
    """Lines of ``x.execute(...)``-like calls."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in RUNS_SQL
    ]


def sql_texts(tree: ast.AST) -> list[int]:
    """Lines of string constants that are SQL statements."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SQL_TEXT.match(node.value)
    ]


def _above_the_store() -> dict[str, ast.AST]:
    return {
        str(path.relative_to(SERVER)): ast.parse(path.read_text(), str(path))
        for path in sorted(SERVER.rglob("*.py"))
        if STORE not in path.parents
    }


def test_the_walk_sees_the_whole_server() -> None:
    found = {name.split("/")[0] for name in _above_the_store()}
    assert {"api", "domain", "seed", "app.py", "cli.py"} <= found


def test_no_module_above_the_store_runs_sql() -> None:
    places = [
        f"{name}:{line}" for name, tree in _above_the_store().items() for line in sql_calls(tree)
    ]
    assert places == []


def test_no_module_above_the_store_writes_a_statement() -> None:
    places = [
        f"{name}:{line}" for name, tree in _above_the_store().items() for line in sql_texts(tree)
    ]
    assert places == []


def test_the_checks_see_sql_where_it_is() -> None:
    tree = ast.parse('def f(conn):\n    return conn.execute("SELECT id FROM accounts")\n')
    assert sql_calls(tree) == [2]
    assert sql_texts(tree) == [2]
    store_tree = ast.parse((STORE / "accounts.py").read_text())
    assert sql_calls(store_tree) and sql_texts(store_tree)
