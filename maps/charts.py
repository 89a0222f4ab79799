"""Charts of a plan as PNG bytes (matplotlib, Agg, no pyplot state).

Each function takes a plan (and what else it needs) and returns the PNG; the report inlines
them as data URIs, so the report stays one file with no script to load.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import itertools
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from maps import i18n
from maps.draw import (
    CORRIDOR_LABELS,
    UTILIZATION_BINS,
    TrainView,
    border_load,
    corridor_label,
    utilization_colour,
)
from maps.i18n import current, text
from network import Network
from routing.domain.co2 import without_loops
from routing.domain.plan import Plan

DPI = 100
#: fonts with CJK glyphs, best first (Debian's fonts-noto-cjk gives the first); the charts of
#: a Chinese report use those installed, then DejaVu Sans for what they lack
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def cjk_fonts() -> tuple[str, ...]:
    """The fonts of :data:`CJK_FONTS` that matplotlib finds on this machine (font files
    installed after matplotlib cached its font list are added first)."""
    fm = font_manager.fontManager
    if not any(f.name in CJK_FONTS for f in fm.ttflist):
        for path in font_manager.findSystemFonts(fontext="ttf"):
            if "cjk" in path.lower() or "wqy" in path.lower():
                with contextlib.suppress(Exception):  # a font file matplotlib cannot read
                    fm.addfont(path)
    have = {f.name for f in fm.ttflist}
    return tuple(f for f in CJK_FONTS if f in have)


def _localised(fn: F) -> F:
    """Draw ``fn``'s chart with the CJK fonts when the language in use is Chinese."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if i18n.current() != "zh":
            return fn(*args, **kwargs)
        with warnings.catch_warnings():  # without a CJK font: boxes, not a warning per glyph
            warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
            with rc_context({"font.family": [*cjk_fonts(), "DejaVu Sans"]}):
                return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


#: date tick formats of the charts in Chinese (matplotlib's own month names are English)
ZH_DATES = {
    "formats": ["%Y年", "%m月", "%d日", "%H:%M", "%H:%M", "%S.%f"],
    "zero_formats": ["", "%Y年", "%m月", "%m月%d日", "%H:%M", "%H:%M"],
    "offset_formats": [
        "",
        "%Y年",
        "%Y年%m月",
        "%Y年%m月%d日",
        "%Y年%m月%d日",
        "%Y年%m月%d日 %H:%M",
    ],
}


def _dates(loc: AutoDateLocator) -> ConciseDateFormatter:
    """The date axis' labels in the language in use."""
    if current() == "zh":
        return ConciseDateFormatter(loc, **ZH_DATES)
    return ConciseDateFormatter(loc)


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    return buf.getvalue()


def _empty(text: str, size: tuple[float, float] = (9, 1.6)) -> bytes:
    fig = Figure(figsize=size)
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="#555")
    return _png(fig)


def _util_legend() -> list[Patch]:
    return [Patch(color=c, label=label) for _, c, label in reversed(UTILIZATION_BINS)]


@_localised
def utilization_chart(views: Sequence[TrainView]) -> bytes:
    """Utilization of each running train, in departure order, against 100 %."""
    running = sorted(
        (v for v in views if v.train.runs),
        key=lambda v: (v.train.depart_date, v.train.departure_id),
    )
    if not running:
        return _empty(text("chart.no_train"))
    fig = Figure(figsize=(10, 3.4))
    ax = fig.add_subplot()
    xs = range(len(running))
    ax.bar(
        xs,
        [v.train.utilization * 100 for v in running],
        width=0.85 if len(running) < 200 else 1.0,
        color=[utilization_colour(v.train.utilization) for v in running],
    )
    mean = sum(v.train.utilization for v in running) / len(running) * 100
    ax.axhline(100, color="#333", lw=0.8)
    ax.axhline(mean, color="#1f77b4", lw=1, ls="--", label=text("chart.mean", v=f"{mean:.0f}"))
    ax.set_ylabel(text("chart.util_y"))
    ax.set_ylim(0, 128)  # room above 100 % for the legend
    ax.set_xlim(-0.6, len(running) - 0.4)
    if len(running) <= 40:
        ax.set_xticks(list(xs), [v.train.departure_id for v in running], rotation=60, fontsize=7)
        for lab in ax.get_xticklabels():
            lab.set_horizontalalignment("right")
    else:
        ax.set_xlabel(text("chart.util_x", n=len(running)))
    ax.legend(handles=[*_util_legend(), *ax.get_lines()[1:]], fontsize=7, ncol=6, loc="upper right")
    ax.set_title(text("chart.util_title"), loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _lanes(spans: list[tuple[dt.date, dt.date]]) -> list[int]:
    """First-fit lane for each interval (given in start order) so that bars do not overlap."""
    ends: list[dt.date] = []
    out = []
    for start, end in spans:
        for i, e in enumerate(ends):
            if e < start:
                ends[i] = end
                out.append(i)
                break
        else:
            ends.append(end)
            out.append(len(ends) - 1)
    return out


@_localised
def timeline_chart(views: Sequence[TrainView]) -> bytes:
    """Gantt chart: each departure from departure to arrival, one band per corridor;
    running trains coloured by utilization, departures not run as grey outlines."""
    if not views:
        return _empty(text("chart.no_departure"))
    by_corridor: dict[str, list[TrainView]] = defaultdict(list)
    for v in views:
        by_corridor[v.corridor].append(v)
    order = [c for c in (*CORRIDOR_LABELS, "other") if c in by_corridor]
    bands = []
    total = 0
    for c in order:
        vs = sorted(by_corridor[c], key=lambda v: (not v.train.runs, v.train.depart_date))
        run = [v for v in vs if v.train.runs]
        idle = [v for v in vs if not v.train.runs]
        lanes_run = _lanes([(v.train.depart_date, v.arrival_date) for v in run])
        lanes_idle = _lanes([(v.train.depart_date, v.arrival_date) for v in idle])
        n_run = max(lanes_run, default=-1) + 1
        n_idle = max(lanes_idle, default=-1) + 1
        bands.append((c, run, lanes_run, idle, [n_run + k for k in lanes_idle], total))
        total += n_run + n_idle + 1
    height = min(2 + 0.09 * total, 16)
    fig = Figure(figsize=(10, max(height, 3)))
    ax = fig.add_subplot()
    bar_h = 0.8
    ticks, labels = [], []
    for c, run, lanes_run, idle, lanes_idle, base in bands:
        for v, lane in zip(run, lanes_run, strict=True):
            start = date2num(v.train.depart_date)
            ax.barh(
                base + lane,
                max(date2num(v.arrival_date) - start, 0.5),
                left=start,
                height=bar_h,
                color=utilization_colour(v.train.utilization),
                edgecolor="#333",
                linewidth=0.2,
            )
        for v, lane in zip(idle, lanes_idle, strict=True):
            start = date2num(v.train.depart_date)
            ax.barh(
                base + lane,
                max(date2num(v.arrival_date) - start, 0.5),
                left=start,
                height=bar_h,
                facecolor="none",
                edgecolor="#aaa",
                linewidth=0.5,
                linestyle="--",
            )
        n = max([*lanes_run, *lanes_idle], default=0) + 1
        ticks.append(base + (n - 1) / 2)
        labels.append(f"{corridor_label(c)}\n{text('chart.run_not', run=len(run), idle=len(idle))}")
        ax.axhline(base + n + 0.0 - 0.5 + 0.5, color="#ddd", lw=0.6)
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.invert_yaxis()
    loc = AutoDateLocator()
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(_dates(loc))
    ax.grid(axis="x", color="#eee")
    ax.legend(
        handles=[
            *_util_legend(),
            Patch(facecolor="none", edgecolor="#aaa", linestyle="--", label=text("chart.not_run")),
        ],
        fontsize=7,
        ncol=6,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
    )
    ax.set_title(text("chart.timeline_title"), loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


@_localised
def border_chart(plan: Plan, names: dict[str, str] | None = None) -> bytes:
    """Trains crossing each border port per day, against the day's quota (``names``: port
    id -> the name to show)."""
    load = border_load(plan)
    if not load:
        return _empty(text("chart.no_border"))
    ports = list(load)
    fig = Figure(figsize=(10, 1.0 + 1.5 * len(ports)))
    axes = fig.subplots(len(ports), 1, sharex=True, squeeze=False)[:, 0]
    for ax, port in zip(axes, ports, strict=True):
        days = load[port]
        xs = [date2num(d) for d in days]
        ys = [n for n, _ in days.values()]
        over = [q is not None and n > q for n, q in days.values()]
        ax.bar(xs, ys, width=0.8, color=["#d62728" if o else "#1f77b4" for o in over])
        qx = [date2num(d) for d, (_, q) in days.items() if q is not None]
        qy = [q for _, q in days.values() if q is not None]
        if qx:
            ax.scatter(
                qx, qy, marker="_", s=120, color="#d62728", label=text("chart.quota"), zorder=3
            )
        ax.set_ylabel(
            (names or {}).get(port, port), rotation=0, ha="right", va="center", fontsize=9
        )
        ax.set_ylim(0, max([*ys, *qy, 1]) + 1)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
    loc = AutoDateLocator()
    axes[-1].xaxis.set_major_locator(loc)
    axes[-1].xaxis.set_major_formatter(_dates(loc))
    axes[0].set_title(text("chart.border_title"), loc="left", fontsize=11)
    return _png(fig)


COST_PARTS = (
    ("fixed", "train fixed cost", "#1f77b4"),
    ("freight", "freight (per TEU)", "#2ca02c"),
    ("truck", "trucking", "#8c564b"),
    ("late", "late penalties", "#ff7f0e"),
    ("unassigned_penalty", "unassigned penalty (not a cost)", "#bbbbbb"),
)


@_localised
def cost_chart(plan: Plan) -> bytes:
    """Cost breakdown in USD; the unassigned penalty (part of the objective only) in grey."""
    cost = plan.summary.get("cost", {}) or {}
    parts = [(text(f"cost.{k}"), float(cost.get(k, 0.0)), c) for k, _label, c in COST_PARTS]
    if not any(v for _, v, _ in parts):
        return _empty(text("chart.no_cost"))
    fig = Figure(figsize=(10, 2.8))
    ax = fig.add_subplot()
    ys = range(len(parts))
    ax.barh(list(ys), [v for _, v, _ in parts], color=[c for _, _, c in parts])
    top = max(v for _, v, _ in parts)
    for y, (_, v, _) in zip(ys, parts, strict=True):
        ax.text(v + top * 0.01, y, text("usd", v=f"{v:,.0f}"), va="center", fontsize=8)
    ax.set_yticks(list(ys), [label for label, _, _ in parts], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.2)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x / 1000:,.0f}k")
    ax.set_title(text("chart.cost_title", v=f"{plan.total_cost:,.0f}"), loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def departure_corridors(plan: Plan, net: Network | None = None) -> dict[str, str]:
    """Each departure's corridor: its own, else its service's in ``net`` (the id less its
    date, or the service with its origin, destination and border port), else ``other``
    (departures read back from a plan folder carry no corridor)."""
    services = {svc.service_id: svc.corridor for svc in (net.services if net else ())}
    by_od = {
        (svc.origin, svc.destination, svc.border_port): svc.corridor
        for svc in (net.services if net else ())
    }
    out = {}
    for d in plan.problem.departures:
        sid = d.service_id or d.departure_id.rsplit("-", 1)[0]
        out[d.departure_id] = (
            d.corridor
            or services.get(sid)
            or by_od.get((d.origin, d.destination, d.border_port))
            or "other"
        )
    return out


def co2e_by_corridor(
    plan: Plan, net: Network | None = None
) -> dict[str, tuple[float, float, float]]:
    """Per corridor (the departures' ``corridor``, ``other`` without one): WTW kg, TTW kg and
    TEU-km, from the assignments' CO2e and the rail km of each train's route (the network's
    links along it, out-and-back legs counted once, as the CO2e chain counts them).

    ``intensity = 1000 x WTW kg / TEU-km`` (g per TEU-km, door to door: the trucking legs'
    CO2e is in WTW, their km are not in TEU-km)."""
    deps = {d.departure_id: d for d in plan.problem.departures}
    corridors = departure_corridors(plan, net)
    info = plan.problem.emission_network
    out: dict[str, list[float]] = {}
    for a in plan.assignments:
        d = deps.get(a.departure_id)
        corridor = corridors.get(a.departure_id, "other")
        row = out.setdefault(corridor, [0.0, 0.0, 0.0])
        row[0] += a.co2e_wtw_kg
        row[1] += a.co2e_ttw_kg
        if d is not None and info is not None:
            route = without_loops(d.route)
            km = sum(
                info.links[(x, y)].km for x, y in itertools.pairwise(route) if (x, y) in info.links
            )
            row[2] += a.teu * km
    return {k: (v[0], v[1], v[2]) for k, v in sorted(out.items())}


@_localised
def co2e_chart(plan: Plan, net: Network | None = None) -> bytes:
    """CO2e by corridor: WTW and TTW tonnes side by side, and g WTW per TEU-km
    (:func:`co2e_by_corridor`); a note when the plan carries no CO2e."""
    rows = co2e_by_corridor(plan, net)
    if not rows or not any(w for w, _t, _k in rows.values()):
        return _empty(text("chart.no_co2e"))
    names = [corridor_label(c) for c in rows]
    wtw = [w / 1000 for w, _t, _k in rows.values()]
    ttw = [t / 1000 for _w, t, _k in rows.values()]
    grams = [1000 * w / k if k else 0.0 for w, _t, k in rows.values()]
    fig = Figure(figsize=(10, 1.2 + 0.55 * len(rows)))
    left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    ys = list(range(len(rows)))
    left.barh([y - 0.2 for y in ys], wtw, height=0.4, color="#2ca02c", label=text("chart.co2e_wtw"))
    left.barh([y + 0.2 for y in ys], ttw, height=0.4, color="#98df8a", label=text("chart.co2e_ttw"))
    top = max(wtw)
    for y, v in zip(ys, wtw, strict=True):
        left.text(v + top * 0.01, y - 0.2, f"{v:,.1f}", va="center", fontsize=8)
    left.set_yticks(ys, names, fontsize=9)
    left.invert_yaxis()
    left.set_xlim(0, top * 1.2)
    left.set_xlabel(text("chart.co2e_t"), fontsize=9)
    left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, frameon=False)
    right.barh(ys, grams, color="#17becf")
    for y, g in zip(ys, grams, strict=True):
        right.text(g, y, f" {g:,.1f}", va="center", fontsize=8)
    right.set_xlim(0, max(grams) * 1.3 or 1.0)
    right.set_xlabel(text("chart.co2e_intensity"), fontsize=8)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    left.set_title(text("chart.co2e_title", v=f"{sum(wtw):,.1f}"), loc="left", fontsize=11)
    return _png(fig)
