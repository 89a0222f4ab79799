"""``sweep.html``: one self-contained page comparing a sweep's scenarios: the ranking, cost
against TEU carried and CO2e, the effect of each parameter (the mean over the scenarios at
each of its values), and the maps of the base and of a chosen scenario, each in an
``<iframe srcdoc>``. Offline, nothing is loaded from outside (the maps made offline by
:mod:`maps`); every text from the inputs is escaped."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from html import escape
from typing import Any

import maps
from network import Network
from railplan.sweep.charts import effects_chart, tradeoff_chart
from routing.domain.plan import Plan

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222;
  background: #f6f7f9; }
header { background: #1d3557; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; } header p { margin: 2px 0 0; opacity: .85; }
main { padding: 12px 24px 40px; max-width: 1400px; }
h2 { font-size: 16px; margin: 22px 0 8px; } h3 { font-size: 14px; margin: 14px 0 4px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; }
.kpi { background: #fff; border-radius: 6px; padding: 8px 12px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.kpi .v { font-size: 19px; font-weight: 600; } .kpi .k { font-size: 12px; color: #555; }
.tablewrap { max-height: 520px; overflow: auto; background: #fff; border-radius: 6px;
  box-shadow: 0 1px 3px rgba(0,0,0,.12); }
table.data { border-collapse: collapse; width: 100%; font-size: 12px; }
table.data th { position: sticky; top: 0; background: #eef1f5; text-align: left; }
table.data th, table.data td { padding: 3px 8px; border-bottom: 1px solid #e4e4e4; white-space: nowrap; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { color: #c0392b; } tr.base td { background: #fff8e1; }
.chart img { max-width: 100%; height: auto; display: block; background: #fff; border-radius: 6px; }
.maps { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.maps iframe { width: 100%; height: 480px; border: 0; border-radius: 6px; background: #fff;
  box-shadow: 0 1px 3px rgba(0,0,0,.15); }
footer { color: #777; font-size: 12px; margin-top: 24px; }
"""

#: the ranking table's columns after the parameters: (column, heading)
SHOWN = (
    ("status", "status"),
    ("objective", "objective USD"),
    ("total_cost", "total cost USD"),
    ("cost_per_teu", "USD/TEU"),
    ("gap", "gap"),
    ("teu_carried", "TEU carried"),
    ("teu_unassigned", "TEU left"),
    ("on_time_share", "on time"),
    ("trains_run", "trains"),
    ("border_peak", "border peak"),
    ("co2e_wtw_t", "CO2e WTW t"),
    ("solve_seconds", "solve s"),
    ("worker", "worker"),
    ("error", "error"),
)
#: the ids of the grids' scenarios
GRID_ID = re.compile(r"g\d+")
#: the figures averaged per parameter value
MEANS = (
    "objective",
    "total_cost",
    "cost_per_teu",
    "teu_carried",
    "teu_unassigned",
    "on_time_share",
    "co2e_wtw_t",
)


def _fmt(col: str, v: Any) -> str:
    if v == "" or v is None:
        return ""
    if col in ("gap", "on_time_share") and isinstance(v, int | float):
        return f"{100 * v:.2f} %" if col == "gap" else f"{100 * v:.1f} %"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def effects(
    parameters: Sequence[str], table: Sequence[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Parameter -> for each of its values (in the order first met): the planned scenarios
    at it and the mean of each of :data:`MEANS` over them (a main effect). Over the grids'
    scenarios when there are any (a balanced design), else over every scenario; a scenario
    that does not set the parameter counts as ``(not set)``; parameters with one value are
    left out."""
    out: dict[str, list[dict[str, Any]]] = {}
    planned = [r for r in table if r["status"] != "failed"]
    grid = [r for r in planned if GRID_ID.fullmatch(str(r["scenario"]))]
    for p in parameters:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in grid or planned:
            groups[r.get(p) or "(not set)"].append(r)
        if len(groups) < 2:
            continue
        out[p] = [
            {
                "value": value,
                "scenarios": len(rs),
                **{m: _mean([r[m] for r in rs if r[m] != ""]) for m in MEANS},
            }
            for value, rs in groups.items()
        ]
    return out


def _mean(xs: Sequence[float]) -> float | str:
    return round(sum(xs) / len(xs), 4) if xs else ""


def _img(png: bytes, alt: str, ident: str) -> str:
    data = base64.b64encode(png).decode()
    return f'<div class="chart"><img id="{ident}" alt="{escape(alt)}" src="data:image/png;base64,{data}"></div>'


def _table(header: Sequence[str], rows: Sequence[tuple[Sequence[str], str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        f'<tr class="{cls}">' + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"
        for cells, cls in rows
    )
    return f'<div class="tablewrap"><table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _ranking(parameters: Sequence[str], table: Sequence[dict[str, Any]]) -> str:
    order = sorted(table, key=lambda r: (r["rank"] == "", r["rank"] if r["rank"] != "" else 0))
    header = ["rank", "scenario", *parameters, *(h for _, h in SHOWN)]
    body = []
    for r in order:
        cls = "failed" if r["status"] == "failed" else ("base" if r["scenario"] == "base" else "")
        cells = [str(r["rank"]), r["scenario"], *(str(r.get(p, "")) for p in parameters)]
        body.append(([*cells, *(_fmt(c, r.get(c, "")) for c, _ in SHOWN)], cls))
    return _table(header, body)


def _effects_tables(eff: dict[str, list[dict[str, Any]]]) -> str:
    parts = []
    for p, vals in eff.items():
        body = [
            ([v["value"], str(v["scenarios"]), *(_fmt(m, v[m]) for m in MEANS)], "") for v in vals
        ]
        parts.append(
            f"<h3>{escape(p)}</h3>"
            + _table(["value", "scenarios", *(f"mean {m}" for m in MEANS)], body)
        )
    return "".join(parts) or "<p>No parameter varies.</p>"


def _map(plan: Plan | None, net: Network, title: str, *, offline: bool) -> str:
    if plan is None:
        return f"<div><h3>{escape(title)}</h3><p>No plan (the scenario failed).</p></div>"
    html = maps.render(maps.plan_map(plan, net, offline=offline), offline=offline)
    return f'<div><h3>{escape(title)}</h3><iframe title="{escape(title)}" srcdoc="{escape(html)}"></iframe></div>'


def sweep_html(
    *,
    name: str,
    about: dict[str, Any],
    parameters: Sequence[str],
    table: Sequence[dict[str, Any]],
    net: Network,
    base_plan: Plan | None,
    chosen: tuple[str, Plan | None] | None,
    offline: bool = False,
) -> str:
    """The page (``about``: what the header and footer say of the sweep)."""
    eff = effects(parameters, table)
    planned = [r for r in table if r["status"] != "failed"]
    top = min(planned, key=lambda r: int(r["rank"])) if planned else None
    cards = [
        ("scenarios", f"{len(table):,}"),
        ("failed", f"{len(table) - len(planned):,}"),
        (
            "best",
            f"{top['scenario']}: {_fmt('objective', top['objective'])} USD" if top else "none",
        ),
        (
            "wall time",
            f"{about.get('wall_seconds', 0):,.1f} s on {about.get('slots', 1)} worker thread(s)",
        ),
    ]
    kpis = "".join(
        f'<div class="kpi"><div class="v">{escape(v)}</div><div class="k">{escape(k)}</div></div>'
        for k, v in cards
    )
    maps_html = _map(base_plan, net, "base", offline=offline)
    if chosen is not None:
        maps_html += _map(chosen[1], net, f"scenario {chosen[0]}", offline=offline)
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scenario sweep {escape(name)}</title><style>{CSS}</style></head>
<body><header><h1>Scenario sweep: {escape(name)}</h1>
<p>{escape(str(about.get("base", "")))} · {len(table):,} scenarios · ranked by {escape(str(about.get("rank_by", "objective")))}</p></header>
<main>
<section><div class="kpis">{kpis}</div></section>
<section id="ranking"><h2>Scenarios ranked</h2>{_ranking(parameters, table)}</section>
<section id="tradeoff"><h2>Cost, TEU carried and CO2e</h2>{_img(tradeoff_chart(table), "cost against TEU carried and CO2e", "chart-tradeoff")}</section>
<section id="effects"><h2>Effect of each parameter</h2>
{_img(effects_chart(eff), "mean cost per TEU carried at each value of each parameter", "chart-effects")}
{_effects_tables(eff)}</section>
<section id="maps"><h2>Maps</h2><div class="maps">{maps_html}</div></section>
<footer>Made {made} by railplan sweep from {escape(str(about.get("source", "")))} on {escape(str(about.get("where", "")))}.</footer>
</main></body></html>
"""
