"""AVISOS at 80x24, keyboard only, against the real server: the dashboard's unread count, N
opens the inbox, Enter reads a notice, F2 reads them all, and the count follows."""

from __future__ import annotations

from pathlib import Path

from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.notifications import NotificationsScreen
from tests.database import rows, scalar
from tests.tui import screen_text, settle, table_rows, text_of
from tests.tui.steps import demo_logged_in, press

UNREAD = (
    "SELECT COUNT(*) FROM notifications AS n JOIN members AS m ON m.id = n.member_id"
    " WHERE m.username = 'demo' AND n.in_inbox = 1 AND n.read_at IS NULL"
)


async def test_read_one_notice_then_all_and_the_dashboard_counts(
    server_app, seeded_db: Path, clock, tmp_path
):
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        unread = scalar(seeded_db, UNREAD)
        assert unread >= 3  # the seed's three, and this login's new terminal, maybe
        assert text_of(pilot, "#notices-line") == f"{unread} avisos sin leer"
        assert "N AVISOS" in " ".join(text_of(pilot, "#menu").split())

        await press(pilot, "n")
        assert isinstance(app.screen, NotificationsScreen)
        assert text_of(pilot, "#notices-count") == f"{unread} avisos sin leer"
        shown = table_rows(pilot, "#notices")
        assert [row[1] for row in shown].count("Nuevo") == unread
        # The newest first, highlighted, its text below the list.
        ((newest_id, newest_title, newest_body),) = rows(
            seeded_db,
            "SELECT n.id, n.title, n.body FROM notifications AS n JOIN members AS m"
            " ON m.id = n.member_id WHERE m.username = 'demo' AND n.in_inbox = 1"
            " ORDER BY n.id DESC LIMIT 1",
        )
        assert shown[0][2] == newest_title
        assert newest_body in text_of(pilot, "#notice-body")

        # Enter reads it: its mark goes, the count drops, the server has it read.
        await press(pilot, "enter")
        assert table_rows(pilot, "#notices")[0][1] == ""
        assert text_of(pilot, "#notices-count") == f"{unread - 1} avisos sin leer"
        assert scalar(seeded_db, "SELECT read_at FROM notifications WHERE id = ?", newest_id)
        assert scalar(seeded_db, UNREAD) == unread - 1

        # Down to an older unread one and Enter: one fewer again.
        await press(pilot, "down", "enter")
        assert scalar(seeded_db, UNREAD) == unread - 2

        # Back on the dashboard the count is read again.
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)
        assert text_of(pilot, "#notices-line").startswith(f"{unread - 2} aviso")

        # F2 reads them all.
        await press(pilot, "n")
        await press(pilot, "f2")
        assert text_of(pilot, "#notices-count") == "No tiene avisos sin leer."
        assert all(row[1] == "" for row in table_rows(pilot, "#notices"))
        assert scalar(seeded_db, UNREAD) == 0
        await press(pilot, "escape")
        assert text_of(pilot, "#notices-line") == "No tiene avisos sin leer."


async def test_in_english(server_app, seeded_db: Path, clock, tmp_path, english):
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await settle(pilot)
        unread = scalar(seeded_db, UNREAD)
        assert text_of(pilot, "#notices-line") == f"{unread} unread notices"
        assert "N NOTICES" in " ".join(text_of(pilot, "#menu").split())
        await press(pilot, "n")
        assert isinstance(app.screen, NotificationsScreen)
        text = screen_text(pilot)
        assert "NOTICES" in text and "Date" in text and "New" in text
        assert "Enter: mark as read" in text
