"""The manual's step headers: "1 PRIMER PASO", "2 SEGUNDO PASO", ..."""

from __future__ import annotations

from textual.widgets import Static

ORDINALS = ("PRIMER", "SEGUNDO", "TERCER", "CUARTO", "QUINTO", "SEXTO")


def step_title(number: int, subtitle: str = "") -> str:
    title = f"{number} {ORDINALS[number - 1]} PASO"
    return f"{title} · {subtitle}" if subtitle else title


class StepTitle(Static):
    DEFAULT_CSS = """
    StepTitle { text-style: bold; color: $accent; height: 1; margin-bottom: 1; }
    """

    def __init__(self, number: int, subtitle: str = "", **kwargs: object) -> None:
        super().__init__(step_title(number, subtitle), markup=False, **kwargs)  # type: ignore[arg-type]
