"""The login screen's buttons (INGRESAR, SIGUIENTE): Textual's compact primary ``Button``, with
only the style rules such a button can meet.

Textual's ``Button`` brings 7 K characters of default CSS (every variant, the flat style), which
are parsed before the first frame that shows one: a good part of the login screen's start-up.
This subclass behaves as a ``Button`` in every way (``Button.Pressed``, Enter, click, focus,
the press effect, ``Button`` rules of the app's stylesheets) and looks the same: its rules are
Button's own for the default (not flat) style, primary variant, copied with the selector renamed
(``tests/tui/test_primary_button.py`` checks that they give the same styles as Button's).
"""

from __future__ import annotations

from textual.content import ContentText
from textual.css.stylesheet import CSSLocation
from textual.widgets import Button


class PrimaryButton(Button):
    """``Button(label, variant="primary", compact=True)`` without Button's default CSS."""

    # Button.DEFAULT_CSS (Textual 8.2), the parts that match a compact primary button in the
    # default style: the ansi block (NO_COLOR, vt100) and the default style, without the other
    # variants and without the flat style. Here the rules a button at rest meets; those of its
    # states (focus, hover, pressed, disabled) are STATES_CSS, added right after the first frame
    # (no button has a state before it). Rules of equal weight keep Button's order (the first
    # one wins in Textual): the ansi hover stays before the ansi primary rule.
    DEFAULT_CSS = """
    PrimaryButton:ansi.-style-default {
        border: tall $border-blurred;
        background: ansi_default;
        &:hover { background: $ansi-background; border: tall $border; }
        &.-primary {
            color: $primary;
            border: tall $primary;
            background: ansi_default;
        }
    }
    PrimaryButton {
        width: auto;
        min-width: 16;
        height: auto;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;
        &.-style-default {
            text-style: bold;
            color: $button-foreground;
            background: $surface;
            border: none;
            border-top: tall $surface-lighten-1;
            border-bottom: tall $surface-darken-1;
            &.-textual-compact { border: none !important; }
            &.-primary {
                color: $button-color-foreground;
                background: $primary;
                border-top: tall $primary-lighten-3;
                border-bottom: tall $primary-darken-3;
            }
        }
    }
    """
    STATES_CSS = """
    PrimaryButton:ansi.-style-default {
        &:disabled {
            text-opacity: 1;
            text-style: bold dim;
            border: tall $border-blurred !important;
            background: ansi_default !important;
            pointer: not-allowed;
            &:hover { background: ansi_default; }
        }
        &.-active {
            background: $ansi-background !important;
            border: blank $background !important;
            tint: transparent;
        }
        &.-primary:hover { background: $ansi-background; }
    }
    PrimaryButton.-style-default {
        &:disabled { text-opacity: 0.6; pointer: not-allowed; }
        &:focus { text-style: $button-focus-text-style; background-tint: $foreground 5%; }
        &:hover { border-top: tall $surface; background: $surface-darken-1; }
        &.-active {
            background: $surface;
            border-bottom: tall $surface-lighten-1;
            border-top: tall $surface-darken-1;
            tint: $background 30%;
        }
        &.-primary {
            &:hover { background: $primary-darken-2; border-top: tall $primary; }
            &.-active {
                background: $primary;
                border-bottom: tall $primary-lighten-3;
                border-top: tall $primary-darken-3;
            }
        }
    }
    """

    def __init__(self, label: ContentText, *, id: str | None = None) -> None:
        super().__init__(label, variant="primary", id=id, compact=True)

    def on_mount(self) -> None:
        self.call_after_refresh(self._add_states_css)

    def _add_states_css(self) -> None:
        """STATES_CSS, once per app, as more of this class's default CSS."""
        stylesheet = self.app.stylesheet
        location = (__file__, "PrimaryButton.STATES_CSS")
        if stylesheet.has_source(*location):
            return
        stylesheet.add_source(
            self.STATES_CSS,
            read_from=location,
            is_default_css=True,
            tie_breaker=0,  # this class's own (Textual gives a class's DEFAULT_CSS 0)
            scope=self._css_type_name,
        )
        stylesheet.update(self.app)

    def _get_default_css(self) -> list[tuple[CSSLocation, str, int, str]]:
        # Button's own default CSS is left out (the rules above are the part of it that
        # applies); Widget's and the rest of the chain stay.
        return [css for css in super()._get_default_css() if css[1] is not Button.DEFAULT_CSS]
