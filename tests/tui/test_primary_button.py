"""The login's light button looks and acts as Textual's compact primary Button, in every state."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Button, Input

from sjvirtual_tui.widgets.primary_button import PrimaryButton

STATES = ["normal", "focus", "hover", "active", "disabled"]


class OneButton(App[None]):
    """One app per kind of button: once Button is mounted its rules reach every subclass."""

    def __init__(self, light: bool, state: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.light = light
        self.state = state
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input(id="before")
        if self.light:
            yield PrimaryButton("INGRESAR", id="b")
        else:
            yield Button("INGRESAR", id="b", variant="primary", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.pressed.append(event.button.id or "")


async def looks(light: bool, state: str, ansi: bool) -> tuple[object, ...]:
    app = OneButton(light, state, ansi_color=ansi)
    async with app.run_test(size=(40, 6)) as pilot:
        button = app.query_one("#b", Button)
        if state == "focus":
            button.focus()
        elif state == "hover":
            await pilot.hover("#b")
        elif state == "active":
            button.add_class("-active")
        elif state == "disabled":
            button.disabled = True
        await pilot.pause()
        rules = button.styles.base.get_rules()
        strips = button.render_lines(Region(0, 0, button.size.width, button.size.height))
        drawn = [[(segment.text, segment.style) for segment in strip] for strip in strips]
        return rules, button.region, drawn


@pytest.mark.parametrize("ansi", [False, True], ids=["colour", "ansi"])
@pytest.mark.parametrize("state", STATES)
async def test_same_styles_and_drawing_as_textuals_button(state: str, ansi: bool) -> None:
    assert await looks(True, state, ansi) == await looks(False, state, ansi)


async def test_enter_and_click_press_it_as_a_button() -> None:
    app = OneButton(True, "normal")
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.press("tab")  # from the input to the button
        assert app.focused is app.query_one("#b")
        await pilot.press("enter")
        await pilot.pause(0.3)  # the press effect ends
        await pilot.click("#b")
        await pilot.pause()
        assert app.pressed == ["b", "b"]
