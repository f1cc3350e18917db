"""The flow table (flows.py) is the only list of flows: the dashboard's MENÚ, the keys, the
command palette and F1's help all show each of its rows, and each key opens its row's screen."""

from __future__ import annotations

from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Footer

from sjvirtual_tui.flows import FLOWS, Audience, Flow, flow_bindings, flows_for, key_name, menu_text
from sjvirtual_tui.i18n import _
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.statement import StatementScreen
from tests.tui import running, screen_text, settle, text_of
from tests.tui.steps import demo_logged_in, login, press

FAKE = Flow(
    "loans",
    "Créditos",
    "Simular y solicitar un crédito",
    "f10",
    "Créditos",
    Audience.MEMBER,
    "sjvirtual_tui.screens.outbox:OutboxScreen",
    menu="CRÉDITOS",
    in_footer=False,
)


def test_a_new_row_is_a_key_and_a_menu_entry() -> None:
    table = (*FLOWS, FAKE)
    bindings = {b.key: b for b in flow_bindings(Audience.MEMBER, table)}
    assert bindings["f10"].action == "open_flow('loans')"
    assert bindings["f10"].description == "Créditos"
    assert not bindings["f10"].show
    assert "F10 CRÉDITOS" in menu_text(Audience.MEMBER, table=table)
    assert FAKE in flows_for(Audience.MEMBER, table)
    assert FAKE not in flows_for(Audience.GUEST, table)
    assert "F10" not in menu_text(Audience.MEMBER)  # the real table has no such row


def test_each_row_has_its_own_id_and_key() -> None:
    for audience in Audience:
        rows = flows_for(audience)
        assert len({row.key for row in rows}) == len(rows), audience
    assert len({row.id for row in FLOWS}) == len(FLOWS)


async def palette_entries(pilot: Pilot[None]) -> list[str]:
    await press(pilot, "ctrl+p")
    results = pilot.app.screen.query_one(CommandList)
    entries = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
    await press(pilot, "escape")
    return entries


async def help_text(pilot: Pilot[None]) -> str:
    await press(pilot, "f1")
    text = text_of(pilot, "#help-keys")
    await press(pilot, "escape")
    return text


def footer_text(pilot: Pilot[None]) -> str:
    footer = pilot.app.screen.query_one(Footer)
    return "\n".join(line for line in screen_text(pilot).splitlines()[footer.region.y :])


async def assert_offered_then_open(
    pilot: Pilot[None], row: Flow, entries: str, helped: str, footer: str
) -> None:
    """The flow ``row`` is in the palette (label and help), in F1's keys, in the footer if it
    belongs there; then its key is pressed."""
    assert _(row.label) in entries and _(row.help) in entries, row.id
    assert f"{key_name(row.key):<16}{_(row.key_label)}" in helped, row.id
    if row.in_footer:
        assert _(row.key_label) in footer, row.id
    await press(pilot, row.key)


async def test_guest_flows_in_keys_palette_and_help(server_app, clock, tmp_path):
    rows = flows_for(Audience.GUEST)
    assert rows
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        footer = footer_text(pilot)
        entries = "\n".join(await palette_entries(pilot))
        helped = await help_text(pilot)
        for row in rows:
            await assert_offered_then_open(pilot, row, entries, helped, footer)
            assert isinstance(app.screen, row.screen_class()), row.id  # type: ignore[arg-type]
            await app.pop_screen()
            await settle(pilot)
        # The members' flows are not offered before logging in.
        for row in flows_for(Audience.MEMBER):
            assert _(row.label) not in entries


async def test_member_flows_in_menu_keys_palette_and_help(server_app, clock, tmp_path):
    rows = flows_for(Audience.MEMBER)
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)
        menu = " ".join(text_of(pilot, "#menu").split())
        footer = footer_text(pilot)
        entries = "\n".join(await palette_entries(pilot))
        helped = await help_text(pilot)
        for row in rows:
            assert row.menu is not None
            assert f"{key_name(row.key)} {_(row.menu)}" in menu, row.id
            await assert_offered_then_open(pilot, row, entries, helped, footer)
            expected = row.screen_class() or StatementScreen  # Enter: the row's statement
            assert isinstance(app.screen, expected), row.id
            await app.pop_screen()
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
        for row in flows_for(Audience.GUEST):
            assert _(row.label) not in entries


async def test_the_tellers_app_offers_no_members_flows(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path, teller=True) as (_app, pilot):
        await settle(pilot)
        before = "\n".join(await palette_entries(pilot))
        await login(pilot, "cajero", "Cajero2026")
        entries = "\n".join(await palette_entries(pilot))
        for row in FLOWS:
            # None before a teller logs in; once in, the teller's own (issue 18).
            assert _(row.label) not in before, row.id
            if row.audience is Audience.TELLER:
                assert _(row.label) in entries, row.id
            else:
                assert _(row.label) not in entries, row.id
