"""The plan report: one self-contained HTML page with KPIs, the plan map, charts and tables.

The map sits in an ``<iframe srcdoc>`` (its own document: Leaflet's and folium's styles stay
out of the report's); charts are PNG data URIs. Every text from the inputs is escaped.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Sequence

import folium

from maps import charts, i18n
from maps.assets import OfflineError, make_offline, outside_urls
from maps.draw import TrainView, esc, place_name, plan_map, train_views
from maps.i18n import text
from network import Network
from routing.domain.plan import Plan

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: #222; background: #f6f7f9; }
header { background: #1d3557; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 2px 0 0; opacity: .85; }
main { padding: 12px 24px 40px; max-width: 1280px; }
h2 { font-size: 16px; margin: 22px 0 8px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.kpi { background: #fff; border-radius: 6px; padding: 8px 12px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.kpi .v { font-size: 20px; font-weight: 600; }
.kpi .k { font-size: 12px; color: #555; }
.kpi .s { font-size: 11px; color: #777; }
.kpi.warn .v { color: #c0392b; }
#plan-map { width: 100%; height: 560px; border: 0; border-radius: 6px;
  box-shadow: 0 1px 3px rgba(0,0,0,.15); background: #fff; }
.chart { background: #fff; border-radius: 6px; padding: 8px; margin-bottom: 10px;
  box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.chart img { max-width: 100%; height: auto; display: block; }
.tablewrap { max-height: 420px; overflow: auto; background: #fff; border-radius: 6px;
  box-shadow: 0 1px 3px rgba(0,0,0,.12); }
table.data { border-collapse: collapse; width: 100%; font-size: 12px; }
table.data th { position: sticky; top: 0; background: #eef1f5; text-align: left; }
table.data th, table.data td { padding: 3px 8px; border-bottom: 1px solid #e4e4e4;
  white-space: nowrap; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data td.reason { white-space: normal; min-width: 320px; }
footer { color: #777; font-size: 12px; margin-top: 24px; }
"""


#: the Chinese report's fonts: the CJK fonts first (Debian's fonts-noto-cjk), so that Chinese
#: text is drawn with CJK glyphs rather than a fallback's boxes
CJK_FONTS = """
body, table.data, .kpi { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
  "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", system-ui, sans-serif; }
"""


def _img(png: bytes, alt: str, chart_id: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<div class="chart" id="{chart_id}"><img alt="{esc(alt)}" '
        f'src="data:image/png;base64,{data}"></div>'
    )


def _kpi(label: str, value: str, sub: str = "", *, warn: bool = False) -> str:
    cls = "kpi warn" if warn else "kpi"
    return (
        f'<div class="{cls}"><div class="v">{esc(value)}</div><div class="k">{esc(label)}</div>'
        + (f'<div class="s">{esc(sub)}</div>' if sub else "")
        + "</div>"
    )


def _table(
    table_id: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: set[int],
    wide: int | None = None,
) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = []
    for r in rows:
        cells = []
        for i, v in enumerate(r):
            cls = ' class="num"' if i in numeric else ' class="reason"' if i == wide else ""
            cells.append(f"<td{cls}>{esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="tablewrap"><table class="data" id="{table_id}"><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _usd(v: float) -> str:
    return text("usd", v=f"{v:,.0f}")


def kpis(plan: Plan, lang: str | None = None) -> list[tuple[str, str, str, bool]]:
    """Headline numbers: (label, value, note, warn), in ``lang`` (default: the language in
    use, :mod:`maps.i18n`)."""
    with i18n.using(lang or i18n.current()):
        return _kpis(plan)


def status_text(status: str) -> str:
    """A plan's status in the language in use."""
    key = f"status.{status}"
    return text(key) if key in i18n.CATALOGUE else status


def _kpis(plan: Plan) -> list[tuple[str, str, str, bool]]:
    s = plan.summary
    cost = s.get("cost", {}) or {}
    running = [t for t in plan.trains if t.runs]
    teu = sum(a.teu for a in plan.assignments)
    containers = sum(a.containers for a in plan.assignments)
    util = sum(t.utilization for t in running) / len(running) if running else 0.0
    on_time = sum(a.teu for a in plan.assignments if a.late_days == 0)
    left_c = sum(u.containers for u in plan.unassigned)
    left_teu = sum(u.teu for u in plan.unassigned)
    return [
        (
            text("kpi.total"),
            _usd(plan.total_cost),
            text("kpi.total_sub", status=status_text(plan.status), gap=f"{plan.gap:.1%}"),
            False,
        ),
        (text("kpi.fixed"), _usd(float(cost.get("fixed", 0))), "", False),
        (text("kpi.freight"), _usd(float(cost.get("freight", 0))), "", False),
        (text("kpi.truck"), _usd(float(cost.get("truck", 0))), "", False),
        (text("kpi.late"), _usd(float(cost.get("late", 0))), "", False),
        (
            text("kpi.trains"),
            f"{len(running):,}",
            text("kpi.trains_sub", n=f"{len(plan.trains):,}"),
            False,
        ),
        (text("kpi.teu"), f"{teu:,}", text("kpi.teu_sub", n=f"{containers:,}"), False),
        (text("kpi.util"), f"{util:.0%}", text("kpi.util_sub"), False),
        (
            text("kpi.on_time"),
            f"{on_time / teu:.0%}" if teu else "–",
            text("kpi.on_time_sub"),
            False,
        ),
        (
            text("kpi.unassigned"),
            f"{left_teu:,} TEU",
            text("kpi.unassigned_sub", c=f"{left_c:,}", s=f"{len(plan.unassigned):,}"),
            bool(plan.unassigned),
        ),
    ]


def report_html(
    plan: Plan,
    net: Network,
    *,
    offline: bool = False,
    tiles: str | None = None,
    map_: folium.Map | None = None,
    lang: str = "en",
    explanations: Sequence[Explained] = (),
) -> str:
    """The report page as a string (``map_``: a plan map already drawn, else one is drawn),
    every label in ``lang`` (``en`` or ``zh``); ``explanations`` (rows of ``railplan
    explain``: kind, subject, code, containers, saving USD, detail) add their section."""
    with i18n.using(lang):
        extra = _explain_section(explanations) if explanations else ""
        return _report_html(plan, net, offline=offline, tiles=tiles, map_=map_, extra=extra)


#: a row of the explanations section: kind, subject, code, containers, saving USD, detail
Explained = tuple[str, str, str, int | None, float, str]


def _explain_section(rows: Sequence[Explained]) -> str:
    """The explanations of ``railplan explain`` as a table (codes and details as written)."""
    table = _table(
        "explanations",
        tuple(
            text(f"col.{c}") for c in ("kind", "subject", "code", "containers", "saving", "detail")
        ),
        (
            (text(f"kind.{k}"), subj, code, "" if n is None else n, f"{v:,.0f}", detail)
            for k, subj, code, n, v, detail in rows
        ),
        numeric={3, 4},
        wide=5,
    )
    return (
        f'<section id="explanations"><h2>{esc(text("report.explain", n=f"{len(rows):,}"))}</h2>'
        f'<p style="font-size:12px;color:#555">{esc(text("report.explain_hint"))}</p>{table}'
        "</section>"
    )


def _report_html(
    plan: Plan,
    net: Network,
    *,
    offline: bool,
    tiles: str | None,
    map_: folium.Map | None,
    extra: str = "",
) -> str:
    map_html = _map_html(plan, net, offline=offline, tiles=tiles, map_=map_)
    views = train_views(plan, net)
    customers = {s.shipment_id: s.customer for s in plan.problem.shipments}
    cards = "".join(_kpi(lab, v, sub, warn=w) for lab, v, sub, w in kpis(plan))
    return _page(
        plan,
        views,
        horizon=_horizon(plan.summary.get("inputs", {}) or {}),
        cards=cards,
        map_html=map_html,
        assignments=_assignments_table(plan, net, customers),
        unassigned=_unassigned_table(plan, customers),
        made=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        ports={p: place_name(net, p) for d in plan.problem.departures if (p := d.border_port)},
        co2e=charts.co2e_chart(plan, net),
        extra=extra,
    )


def _map_html(
    plan: Plan, net: Network, *, offline: bool, tiles: str | None, map_: folium.Map | None
) -> str:
    """The plan map's own HTML document (``map_``, else drawn); offline, it is made offline
    and must load nothing from outside (:class:`OfflineError` naming what it still loads)."""
    m = (
        map_
        if map_ is not None
        else plan_map(plan, net, offline=offline, tiles=tiles, lang=i18n.current())
    )
    if offline:
        make_offline(m)
    map_html = m.get_root().render()
    if offline and (urls := outside_urls(map_html)):
        raise OfflineError(f"offline map still loads {', '.join(urls[:5])}")
    return map_html


def _horizon(inputs: dict[str, str]) -> str:
    """The timetable's window for the header, when the plan's inputs name one."""
    if "horizon_start" in inputs:
        return text(
            "report.horizon",
            start=inputs["horizon_start"],
            days=inputs.get("horizon_days", "?"),
        )
    return ""


ASSIGNMENT_COLUMNS = (
    "shipment",
    "customer",
    "departure",
    "containers",
    "teu",
    "gross_t",
    "origin",
    "destination",
    "border_port",
    "etd",
    "eta",
    "late_days",
    "freight",
    "truck",
    "late",
)


def _assignments_table(plan: Plan, net: Network, customers: dict[str, str]) -> str:
    """Every assignment with its customer, places (names in Chinese, ids in English), dates
    and costs (USD, whole dollars)."""
    return _table(
        "assignments",
        tuple(text(f"col.{c}") for c in ASSIGNMENT_COLUMNS),
        (
            (
                a.shipment_id,
                customers.get(a.shipment_id, ""),
                a.departure_id,
                a.containers,
                a.teu,
                f"{a.gross_t:,.1f}",
                place_name(net, a.origin),
                place_name(net, a.destination),
                place_name(net, a.border_port) if a.border_port else "",
                a.depart_date,
                a.arrival_date,
                a.late_days,
                f"{a.freight_cost:,.0f}",
                f"{a.truck_cost:,.0f}",
                f"{a.late_cost:,.0f}",
            )
            for a in plan.assignments
        ),
        numeric={3, 4, 5, 11, 12, 13, 14},
    )


def _unassigned_table(plan: Plan, customers: dict[str, str]) -> str:
    """The containers left with their reasons, or a line saying every one is on a train."""
    if not plan.unassigned:
        return f"<p>{esc(text('report.all_on_train'))}</p>"
    return _table(
        "unassigned",
        tuple(text(f"col.{c}") for c in ("shipment", "customer", "containers", "teu", "reason")),
        (
            (
                u.shipment_id,
                customers.get(u.shipment_id, ""),
                u.containers,
                u.teu,
                i18n.reason(u.reason),
            )
            for u in plan.unassigned
        ),
        numeric={2, 3},
        wide=4,
    )


def _page(
    plan: Plan,
    views: list[TrainView],
    *,
    horizon: str,
    cards: str,
    map_html: str,
    assignments: str,
    unassigned: str,
    made: str,
    ports: dict[str, str] | None = None,
    co2e: bytes = b"",
    extra: str = "",
) -> str:
    """The page: header, KPI cards, the map in an ``<iframe srcdoc>``, the charts (drawn
    here), the tables and the footer."""
    s = plan.summary
    lang = "zh-CN" if i18n.current() == "zh" else "en"
    font = CJK_FONTS if i18n.current() == "zh" else ""
    sub = text("report.sub", s=f"{len(plan.problem.shipments):,}", d=f"{len(plan.trains):,}")
    solver = "" if i18n.current() == "zh" else esc(s.get("solver", ""))
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(text("report.title"))}</title>
<style>{CSS}{font}</style>
</head>
<body>
<header><h1>{esc(text("report.h1"))}</h1>
<p>{esc(sub)}{esc(horizon)} ·
{solver} {esc(status_text(plan.status))}</p></header>
<main>
<section id="kpis"><h2>{esc(text("report.headline"))}</h2><div class="kpis">{cards}</div></section>
<section><h2>{esc(text("report.map"))}</h2>
<iframe id="plan-map" title="{esc(text("report.map_title"))}" srcdoc="{esc(map_html)}"></iframe>
<p style="font-size:12px;color:#555">{esc(text("report.map_hint"))}</p>
</section>
<section><h2>{esc(text("report.trains"))}</h2>
{_img(charts.utilization_chart(views), text("chart.util_alt"), "chart-utilization")}
{_img(charts.timeline_chart(views), text("chart.timeline_alt"), "chart-timeline")}
</section>
<section><h2>{esc(text("report.borders"))}</h2>
{_img(charts.border_chart(plan, ports), text("chart.border_alt"), "chart-border")}
</section>
<section><h2>{esc(text("report.cost"))}</h2>
{_img(charts.cost_chart(plan), text("chart.cost_alt"), "chart-cost")}
</section>
<section id="co2e"><h2>{esc(text("report.co2e"))}</h2>
{_img(co2e or charts.co2e_chart(plan), text("chart.co2e_alt"), "chart-co2e")}
</section>
<section><h2>{esc(text("report.assignments", n=f"{len(plan.assignments):,}"))}</h2>{assignments}</section>
<section><h2>{esc(text("report.unassigned", n=f"{len(plan.unassigned):,}"))}</h2>{unassigned}</section>
{extra}
<footer>{esc(text("report.footer", made=made))}</footer>
</main>
</body>
</html>
"""
