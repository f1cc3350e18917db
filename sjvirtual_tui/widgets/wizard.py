"""The manual's step headers: "1 PRIMER PASO", "2 SEGUNDO PASO", ..."""

from __future__ import annotations

from textual.widgets import Static

from sjvirtual_tui.i18n import N_, _

STEP_TITLES = (
    N_("1 PRIMER PASO"),
    N_("2 SEGUNDO PASO"),
    N_("3 TERCER PASO"),
    N_("4 CUARTO PASO"),
    N_("5 QUINTO PASO"),
    N_("6 SEXTO PASO"),
)


def step_title(number: int, subtitle: str = "") -> str:
    """``subtitle`` is shown as given: the caller translates it (``_()``)."""
    title = _(STEP_TITLES[number - 1])
    return f"{title} · {subtitle}" if subtitle else title


def step_intro(number: int, subtitle: str, hint: str) -> tuple[Static, Static]:
    """A step's header and, under it, what the member does there (the caller translates)."""
    return StepTitle(number, subtitle), Static(hint, classes="hint")


class StepTitle(Static):
    DEFAULT_CSS = """
    StepTitle { text-style: bold; color: $accent; height: 1; margin-bottom: 1; }
    """

    def __init__(self, number: int, subtitle: str = "", **kwargs: object) -> None:
        super().__init__(step_title(number, subtitle), markup=False, **kwargs)  # type: ignore[arg-type]
