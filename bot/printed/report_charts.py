"""The report's bar charts, drawn by matplotlib (Agg, no display) into PNG bytes in memory.
A bar hidden by the privacy rule is drawn flat and marked "< 5"."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from io import BytesIO
from pathlib import Path

from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.printed.report_figures import SMALL, Cell

WIDTH, HEIGHT = 6.7, 2.6  # inches: the page's text width, a third of its height at most
COLOURS = ("#2b6cb0", "#dd8a2b")


@cache
def families(paths: tuple[Path, ...]) -> list[str]:
    """Teach matplotlib the fonts once; their family names, first choice first (matplotlib
    takes a glyph it lacks from the next one, and shapes Arabic and Bengali with raqm)."""
    names = []
    for path in paths:
        font_manager.fontManager.addfont(str(path))
        names.append(font_manager.FontProperties(fname=str(path)).get_name())
    return names


def bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Cell]]],
    fonts: tuple[Path, ...],
    top: float | None = None,
) -> bytes:
    """Bars for each label, one colour per (name, values) series, as PNG bytes; a legend when
    there is more than one series."""
    with rc_context({"font.family": families(fonts), "font.size": 8}):
        figure = Figure(figsize=(WIDTH, HEIGHT), dpi=150, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots()
        width = 0.8 / len(series)
        highest = 0.0
        for number, (name, values) in enumerate(series):
            places = [n - 0.4 + width * (number + 0.5) for n in range(len(labels))]
            heights = [float(v) if isinstance(v, int | float) else 0.0 for v in values]
            highest = max([highest, *heights])
            drawn = axes.bar(places, heights, width, label=name, color=COLOURS[number % 2])
            marks = [SMALL if v == SMALL else "" for v in values]
            axes.bar_label(drawn, labels=marks, fontsize=7)
        axes.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 6 else 0)
        axes.set_ylim(0, top or max(1.0, highest * 1.15))
        axes.yaxis.set_major_locator(MaxNLocator(integer=top is None))
        axes.spines[["top", "right"]].set_visible(False)
        if len(series) > 1:
            axes.legend(frameon=False)
        out = BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()
