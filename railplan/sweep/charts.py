"""The sweep report's charts, drawn with matplotlib (no pyplot: no global state) as PNG."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 110
#: scenarios named beside their point (the best few and the base)
LABELLED = 6


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    return buf.getvalue()


def _planned(table: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in table if r["status"] != "failed"]


def _labels(rows: Sequence[dict[str, Any]], x: str, y: str) -> dict[tuple[float, float], str]:
    """Point -> the names shown there: the best-ranked few and the base, one label per point
    (scenarios with the same figures share it)."""
    out: dict[tuple[float, float], list[str]] = {}
    for r in rows:
        if (r["rank"] != "" and int(r["rank"]) <= LABELLED) or r["scenario"] == "base":
            px = r[x] / 1e6 if x == "total_cost" else r[x]
            py = r[y] / 1e6 if y == "total_cost" else r[y]
            out.setdefault((px, py), []).append(str(r["scenario"]))
    return {k: ", ".join(v[:3]) + (" ..." if len(v) > 3 else "") for k, v in out.items()}


def tradeoff_chart(table: Sequence[dict[str, Any]]) -> bytes:
    """Total cost against TEU carried (colour: CO2e WTW), and CO2e against total cost; the
    best-ranked scenarios and the base named."""
    rows = _planned(table)
    fig = Figure(figsize=(11, 4.2))
    a1, a2 = fig.subplots(1, 2)
    if rows:
        teu = [r["teu_carried"] for r in rows]
        cost = [r["total_cost"] / 1e6 for r in rows]
        co2 = [r["co2e_wtw_t"] for r in rows]
        pts = a1.scatter(teu, cost, c=co2, cmap="viridis", s=28, edgecolor="#333", linewidth=0.4)
        fig.colorbar(pts, ax=a1, label="CO2e WTW, t")
        a2.scatter(cost, co2, color="#1d3557", s=24)
        for ax, x, y in ((a1, "teu_carried", "total_cost"), (a2, "total_cost", "co2e_wtw_t")):
            for (px, py), names in _labels(rows, x, y).items():
                ax.annotate(names, (px, py), fontsize=8, xytext=(3, 3), textcoords="offset points")
    a1.set_xlabel("TEU carried")
    a1.set_ylabel("total cost, million USD")
    a1.set_title("Cost against TEU carried")
    a2.set_xlabel("total cost, million USD")
    a2.set_ylabel("CO2e WTW, t")
    a2.set_title("CO2e against cost")
    for ax in (a1, a2):
        ax.grid(alpha=0.3)
    return _png(fig)


def effects_chart(effects: dict[str, list[dict[str, Any]]]) -> bytes:
    """One panel per parameter that varies: the mean objective at each of its values."""
    names = list(effects)
    fig = Figure(figsize=(11, 2.6 * max(1, (len(names) + 2) // 3)))
    if not names:
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, "no parameter varies", ha="center", va="center", color="#555")
        return _png(fig)
    cols = min(3, len(names))
    axes = fig.subplots((len(names) + cols - 1) // cols, cols, squeeze=False).ravel()
    for ax, name in zip(axes, names, strict=False):
        vals = effects[name]
        ax.barh(
            [v["value"][:28] for v in vals],
            [(v["objective"] or 0) / 1e6 for v in vals],
            color="#457b9d",
        )
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("mean objective (cost + penalties), million USD", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.invert_yaxis()
    for ax in axes[len(names) :]:
        ax.axis("off")
    fig.tight_layout()
    return _png(fig)
