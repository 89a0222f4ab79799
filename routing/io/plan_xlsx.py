"""``plan.xlsx``, formatted for people: a summary sheet of the KPIs first, then the
assignments, the trains and the unassigned containers, each with a frozen header, column
widths, number and date formats and an autofilter; the trains' utilisation is coloured. Sheet
names, headers, KPI labels and the unassigned reasons are in the chosen language
(:mod:`routing.domain.texts`); ids and codes stay as they are, and places are named in the
language when ``places`` gives their names. Text that a spreadsheet would run as a formula is
neutralised (:func:`routing.io.table.neutralise`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from routing.domain import texts
from routing.domain.plan import (
    ASSIGNMENT_COLUMNS,
    TRAIN_COLUMNS,
    UNASSIGNED_COLUMNS,
    Plan,
)
from routing.io import xlsx_writer as xw
from routing.io.table import neutralise

#: the KPIs of the summary sheet: (catalogue key, the summary's key or cost part, format)
KPIS: tuple[tuple[str, str, str], ...] = (
    ("xlsx.kpi.status", "status", "@"),
    ("xlsx.kpi.total_cost", "total_cost", "#,##0"),
    ("xlsx.kpi.objective", "objective", "#,##0"),
    ("xlsx.kpi.bound", "bound", "#,##0"),
    ("xlsx.kpi.gap", "gap", "0.00%"),
    ("xlsx.kpi.fixed", "cost.fixed", "#,##0"),
    ("xlsx.kpi.freight", "cost.freight", "#,##0"),
    ("xlsx.kpi.truck", "cost.truck", "#,##0"),
    ("xlsx.kpi.late", "cost.late", "#,##0"),
    ("xlsx.kpi.shipments", "shipments", "#,##0"),
    ("xlsx.kpi.departures", "departures", "#,##0"),
    ("xlsx.kpi.trains_run", "trains_run", "#,##0"),
    ("xlsx.kpi.containers_assigned", "containers_assigned", "#,##0"),
    ("xlsx.kpi.teu_assigned", "teu_assigned", "#,##0"),
    ("xlsx.kpi.containers_unassigned", "containers_unassigned", "#,##0"),
    ("xlsx.kpi.teu_unassigned", "teu_unassigned", "#,##0"),
    ("xlsx.kpi.mean_utilization", "mean_utilization", "0.0%"),
    ("xlsx.kpi.on_time_share", "on_time_share", "0.0%"),
    ("xlsx.kpi.solve_seconds", "solve_seconds", "0.0"),
)
#: number formats by column (the rest: general)
FORMATS = {
    "containers": "#,##0",
    "teu": "#,##0",
    "load_teu": "#,##0",
    "capacity_teu": "#,##0",
    "late_days": "0",
    "gross_t": "#,##0.0",
    "freight_cost": "#,##0",
    "truck_cost": "#,##0",
    "late_cost": "#,##0",
    "fixed_cost": "#,##0",
    "co2e_wtw_kg": "#,##0",
    "co2e_ttw_kg": "#,##0",
    "utilization": "0.0%",
    "depart_date": "yyyy-mm-dd",
    "arrival_date": "yyyy-mm-dd",
}
PLACES = ("origin", "destination", "border_port")
#: utilisation fill colours, from worst to best (the map's bins)
UTILIZATION_FILLS = (
    (0.0, "F4A6A0"),
    (0.5, "FDD0A2"),
    (0.7, "FFF2B3"),
    (0.85, "D4EDBC"),
    (0.95, "A6D96A"),
)


def header(column: str, lang: str) -> str:
    """A column's header in ``lang`` (its English name when the catalogue has none)."""
    key = f"xlsx.col.{column}"
    return texts.text(key, lang) if key in texts.CATALOGUE else column


def _summary_value(plan: Plan, key: str, lang: str) -> Any:
    s = plan.summary
    if key.startswith("cost."):
        return float((s.get("cost") or {}).get(key[5:], 0.0))
    v = s.get(key, "")
    if key == "status":
        status = f"status.{v}"
        return texts.text(status, lang) if status in texts.CATALOGUE else v
    return v


def write_plan_xlsx(
    path: Path, plan: Plan, *, lang: str = "en", places: Mapping[str, str] | None = None
) -> None:
    """Write ``plan.xlsx`` (see the module); ``places``: node id -> the name to show. Written
    by :mod:`routing.io.xlsx_writer`, a row at a time as text (a national week's 5,000
    assignments: about 0.1 s, against 1.0 s with openpyxl's write-only mode)."""
    styles = xw.Styles()
    sheets = [_summary_sheet(plan, lang, styles)]
    names = dict(places or {})
    tables: list[tuple[str, Sequence[str], list[dict[str, Any]]]] = [
        ("xlsx.assignments", ASSIGNMENT_COLUMNS, [a.row() for a in plan.assignments]),
        ("xlsx.trains", TRAIN_COLUMNS, [t.row() for t in plan.trains]),
        ("xlsx.unassigned", UNASSIGNED_COLUMNS, [u.row() for u in plan.unassigned]),
    ]
    for sheet, columns, rows in tables:
        sheets.append(_table_sheet(texts.text(sheet, lang), columns, rows, lang, names, styles))
    xw.save(path, sheets, styles)


def _head(labels: Sequence[str], styles: xw.Styles) -> list[tuple[Any, int]]:
    st = styles.style(None, xw.HEADER_FILL, bold=True)
    return [(label, st) for label in labels]


def _summary_sheet(plan: Plan, lang: str, styles: xw.Styles) -> xw.Sheet:
    """The KPIs, one a row, each with its number format."""
    ws = xw.Sheet(texts.text("xlsx.summary", lang), widths=(28, 18))
    ws.rows.append(_head([texts.text("xlsx.kpi", lang), texts.text("xlsx.value", lang)], styles))
    for key, skey, fmt in KPIS:
        value = neutralise(_summary_value(plan, skey, lang))
        ws.rows.append([(texts.text(key, lang), 0), (value, styles.style(fmt))])
    return ws


def _shown(c: str, v: Any, lang: str, names: Mapping[str, str]) -> Any:
    """A cell as people read it: places named in the language, reasons and yes/no translated."""
    if c in PLACES and isinstance(v, str):
        v = names.get(v, v)
    elif c == "reason" and isinstance(v, str):
        v = texts.reason(v, lang)
    elif c == "runs" and isinstance(v, bool):
        v = texts.text("yes" if v else "no", lang)
    return neutralise(v)


def _table_sheet(
    title: str,
    columns: Sequence[str],
    rows: list[dict[str, Any]],
    lang: str,
    names: Mapping[str, str],
    styles: xw.Styles,
) -> xw.Sheet:
    """One table: widths (from the header and the first 200 rows), frozen header, filter,
    number formats by column, utilisation coloured."""
    widths = []
    for c in columns:
        values = [str(row.get(c, "")) for row in rows[:200]]
        width = max([len(header(c, lang)) * (2 if lang == "zh" else 1), *map(len, values)])
        cap = 60 if c == "reason" else 30
        widths.append(min(max(width + 2, 8), cap))
    ws = xw.Sheet(title, widths=widths, autofilter=True)
    ws.rows.append(_head([header(c, lang) for c in columns], styles))
    plain = [styles.style(FORMATS.get(c)) for c in columns]
    for row in rows:
        cells = []
        for i, c in enumerate(columns):
            v = _shown(c, row.get(c, ""), lang, names)
            st = plain[i]
            if c == "utilization" and _is_number(v):
                st = styles.style(FORMATS.get(c), _utilization_colour(v))
            cells.append((v, st))
        ws.rows.append(cells)
    return ws


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _utilization_colour(u: float) -> str:
    """The fill colour of utilisation ``u``: its bin's (the map's bins)."""
    colour = UTILIZATION_FILLS[0][1]
    for lower, c in UTILIZATION_FILLS:
        if u >= lower - 1e-9:
            colour = c
    return colour
