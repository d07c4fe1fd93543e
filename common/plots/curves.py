"""The second book's ``trainer.plot()``: one curve, in a window when there is a display,
else in a PNG file whose path is printed (a script run over SSH or in CI is not left with
nothing, nor blocked)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from common.plots.figures import curve_style, has_display, in_notebook, pyplot, save_figure


def plot_book_curve(x: Sequence[float], y: Sequence[float], xlabel: str, ylabel: str,
                    ylim: tuple[float, float] | None = None, path: str | Path | None = None,
                    default_name: str = "curve.png") -> Path | None:
    """Draw y against x (a marker when there is a single point). Shown in a window when
    ``path`` is None and there is a display (or in a notebook); otherwise written to
    ``path``, or to ``default_name`` in the current folder, and that path is printed and
    returned."""
    shown = path is None and (has_display() or in_notebook())
    plt = pyplot(show=shown)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(list(x), list(y), **curve_style(len(y), label="train"))
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if shown:
        plt.show()
        return None
    written = save_figure(fig, path if path is not None else default_name)
    print(f"figure written to {written} (no display to show it on)" if path is None
          else f"figure written to {written}", flush=True)
    return Path(written)

