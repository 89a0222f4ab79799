"""The input workbook a planner fills in: ``railplan template --out batch.xlsx``.

The shipments sheet has its header row in the chosen language (:mod:`routing.io.headers`),
two example rows, a frozen header, column widths and data validation: drop-down lists of the
network's places in that language (kept on a hidden sheet), of container types and of yes/no;
dates as dates, whole numbers where whole numbers belong. A sheet of instructions follows, then
the optional sheets (departures, rates, border quotas, trucking) with their headers: a sheet
left without rows is not read, a sheet with rows replaces that input (``railplan plan
batch.xlsx`` reads every sheet the workbook has, see :func:`routing.api.read_problem`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from network import Network
from routing.domain.model import CONTAINER_TYPES, DEFAULT_CONTAINER_TYPE, network_truck_legs
from routing.io.batch import (
    DEPARTURE_COLUMNS,
    QUOTA_COLUMNS,
    RATE_COLUMNS,
    SHIPMENT_COLUMNS,
    TRUCKING_COLUMNS,
)
from routing.io.headers import SHEETS, header

#: rows that carry the data validation (header = row 1)
ROWS = 1_000
#: the hidden sheet of the long drop-down lists
LISTS = "lists"

#: what each shipments column holds, in the instructions sheet: (English, Chinese)
MEANING: dict[str, tuple[str, str]] = {
    "shipment_id": ("unique id of the shipment", "唯一的发货编号"),
    "origin": ("a park, or a place trucked to a park", "发运物流园，或可汽运至物流园的地点"),
    "destination": ("a train's destination", "班列终到地"),
    "containers": ("number of containers (whole number)", "集装箱数量（整数）"),
    "container_type": (
        "20GP, 20RF, 40GP, 40HC, 40RF or 45HC",
        "20GP、20RF、40GP、40HC、40RF 或 45HC",
    ),
    "gross_t": ("gross tonnes per container", "每箱毛重（吨）"),
    "ready_date": ("earliest day at the origin", "始发地最早可发日期"),
    "due_date": ("wanted arrival (optional)", "要求到达日期（可空）"),
    "late_penalty_per_teu_day": (
        "USD per TEU per day late (100)",
        "每TEU每天延误罚金，美元（100）",
    ),
    "split": ("may the lot go on several trains (yes)", "可否分批发运（是）"),
    "avoid_countries": ("ISO codes to avoid, e.g. RU;BY", "需避开的国家代码，如 RU;BY"),
    "dg_class": ("dangerous-goods class (optional)", "危险品类别（可空）"),
    "customer": ("customer name", "客户名称"),
}
REQUIRED_TEXT = {"en": ("required", "optional"), "zh": ("必填", "选填")}
INTRO = {
    "en": (
        "Fill in one row per shipment on the sheet 'shipments'; pick places and types from "
        "the lists. The sheets departures, rates, border_quota and trucking are optional: "
        "leave them empty to use the network's timetable, quotas and trucking. Then run: "
        "railplan plan batch.xlsx"
    ),
    "zh": (
        "在“发货”表中每行填写一票货物；地点和箱型请从下拉列表选择。“班列”“协议运价”“口岸配额”"
        "“汽运”表为选填：留空则使用网络自带的班列时刻、口岸配额和汽运线路。然后运行："
        "railplan plan batch.xlsx"
    ),
}
#: the columns of each sheet and their kind of cell: place lists, dates, whole numbers, ...
CELL_KIND: dict[str, str] = {
    "origin": "origin",
    "destination": "destination",
    "from": "place",
    "to": "place",
    "border_port": "border",
    "containers": "whole",
    "container_type": "type",
    "gross_t": "decimal",
    "ready_date": "date",
    "due_date": "date",
    "depart_date": "date",
    "date": "date",
    "late_penalty_per_teu_day": "decimal",
    "split": "bool",
    "dg_allowed": "bool",
    "border_offset_days": "whole",
    "transit_days": "whole",
    "capacity_teu": "whole",
    "min_load_teu": "whole",
    "reefer_plugs": "whole",
    "trains_per_day": "whole",
    "days": "whole",
    "max_gross_t": "decimal",
    "fixed_cost": "decimal",
    "rate_per_teu": "decimal",
    "cost_per_teu": "decimal",
}
OPTIONAL_SHEETS = (
    ("departures", DEPARTURE_COLUMNS),
    ("rates", RATE_COLUMNS),
    ("border_quota", QUOTA_COLUMNS),
    ("trucking", TRUCKING_COLUMNS),
)


def place_name(net: Network, node_id: str, lang: str) -> str:
    """A place's name in ``lang`` (the English name when it has no Chinese one)."""
    n = net.nodes[node_id]
    return (n.name_zh or n.name_en) if lang == "zh" else n.name_en


def place_lists(net: Network, lang: str) -> dict[str, list[str]]:
    """The drop-down lists of places in ``lang``: origins (parks and places trucked to a
    park), destinations (train destinations and places trucked from one), every place, and
    the border ports."""
    legs = network_truck_legs(net)
    kind = {i: n.kind for i, n in net.nodes.items()}
    origins = [i for i in net.nodes if kind[i] == "park"]
    origins += sorted({g.origin for g in legs if kind.get(g.destination) == "park"} - set(origins))
    dests = [i for i in net.nodes if kind[i] == "destination"]
    dests += sorted(
        {g.destination for g in legs if kind.get(g.origin) == "destination"} - set(dests)
    )
    ids = {
        "origin": origins,
        "destination": dests,
        "place": list(net.nodes),
        "border": [i for i in net.nodes if kind[i] == "border"],
    }
    return {k: [place_name(net, i, lang) for i in v] for k, v in ids.items()}


def example_rows(net: Network, start: dt.date) -> list[dict[str, Any]]:
    """Two example shipments: the first park to the first destination a Shanxi train serves."""
    lines = [(s.origin, s.destination) for s in net.services if s.scope == "shanxi"]
    lines = lines or [(s.origin, s.destination) for s in net.services]
    origin, dest = lines[0]
    second = next(((o, d) for o, d in lines if (o, d) != (origin, dest)), (origin, dest))
    return [
        {
            "shipment_id": "EX-0001",
            "origin": origin,
            "destination": dest,
            "containers": 4,
            "container_type": DEFAULT_CONTAINER_TYPE,
            "gross_t": 20.0,
            "ready_date": start,
            "due_date": start + dt.timedelta(days=30),
            "split": True,
            "customer": "Example Co.",
        },
        {
            "shipment_id": "EX-0002",
            "origin": second[0],
            "destination": second[1],
            "containers": 2,
            "container_type": "20GP",
            "gross_t": 16.0,
            "ready_date": start + dt.timedelta(days=3),
            "due_date": start + dt.timedelta(days=40),
            "split": False,
            "customer": "Example Co.",
        },
    ]


def write_template(
    path: str | Path, net: Network, lang: str = "en", start: dt.date | None = None
) -> Path:
    """Write the input workbook to ``path`` (see the module); ``start``: the example rows'
    first ready date (default: a week from today)."""
    import openpyxl  # deferred: only XLSX files need it
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    out = Path(path)
    start = start or dt.date.today() + dt.timedelta(days=7)
    zh = lang == "zh"
    yes, no = ("是", "否") if zh else ("yes", "no")
    wb = openpyxl.Workbook()
    ships = wb.active
    assert ships is not None
    ships.title = SHEETS["shipments"][1 if zh else 0]
    lists = place_lists(net, lang)
    hidden = wb.create_sheet(LISTS)
    ranges: dict[str, str] = {}
    for col, (kind, names) in enumerate(lists.items(), start=1):
        hidden.cell(1, col, kind)
        for r, name in enumerate(names, start=2):
            hidden.cell(r, col, name)
        letter = get_column_letter(col)
        ranges[kind] = f"{LISTS}!${letter}$2:${letter}${len(names) + 1}"
    hidden.sheet_state = "hidden"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")

    def sheet(ws: Any, kind: str, columns: dict[str, bool], rows: list[dict[str, Any]]) -> None:
        heads = [header(kind, c, lang) for c in columns]
        ws.append(heads)
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(horizontal="center")
        for row in rows:
            ws.append([_cell(row.get(c), yes, no) for c in columns])
        ws.freeze_panes = "A2"
        for i, (c, h) in enumerate(zip(columns, heads, strict=True), start=1):
            letter = get_column_letter(i)
            width = max(len(h) * (2 if zh else 1), len(c)) + 4
            if CELL_KIND.get(c) in ("origin", "destination", "place", "border"):
                width = max(width, 24)
            ws.column_dimensions[letter].width = min(width, 40)
            area = f"{letter}2:{letter}{ROWS + 1}"
            dv = _validation(DataValidation, CELL_KIND.get(c), c, ranges, yes, no, zh)
            if dv is not None:
                ws.add_data_validation(dv)
                dv.add(area)
            if CELL_KIND.get(c) == "date":  # the column's style, and the examples' cells
                ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
                for r in range(2, len(rows) + 2):
                    ws.cell(r, i).number_format = "yyyy-mm-dd"

    columns = {c: req for c, req in SHIPMENT_COLUMNS.items() if c in MEANING}
    sheet(ships, "shipments", columns, _place_ids(example_rows(net, start), net, lang))
    info = wb.create_sheet("说明" if zh else "instructions")
    info.append([INTRO[lang]])
    info.append([])
    info.append(["列名" if zh else "column", "", "说明" if zh else "meaning"])
    for cell in info[3]:
        cell.font = bold
    req_text = REQUIRED_TEXT[lang]
    for c, req in columns.items():
        info.append([header("shipments", c, lang), req_text[0 if req else 1], MEANING[c][int(zh)]])
    info.column_dimensions["A"].width = 26
    info.column_dimensions["B"].width = 10
    info.column_dimensions["C"].width = 60
    for kind, cols in OPTIONAL_SHEETS:
        sheet(wb.create_sheet(SHEETS[kind][1 if zh else 0]), kind, dict(cols), [])
    wb.move_sheet(hidden, offset=len(wb.sheetnames))
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _place_ids(rows: list[dict[str, Any]], net: Network, lang: str) -> list[dict[str, Any]]:
    return [
        {
            k: (place_name(net, v, lang) if k in ("origin", "destination") else v)
            for k, v in r.items()
        }
        for r in rows
    ]


def _cell(v: Any, yes: str, no: str) -> Any:
    if isinstance(v, bool):
        return yes if v else no
    return v


def _validation(
    cls: Any, kind: str | None, column: str, ranges: dict[str, str], yes: str, no: str, zh: bool
) -> Any:
    """The data validation of a column of ``kind`` (None: free text)."""
    err = "请从列表中选择" if zh else "pick a value from the list"
    if kind in ranges:
        return cls(type="list", formula1=f"={ranges[kind]}", allow_blank=True, error=err)
    if kind == "type":
        types = ",".join(CONTAINER_TYPES)
        return cls(type="list", formula1=f'"{types}"', allow_blank=True, error=err)
    if kind == "bool":
        return cls(type="list", formula1=f'"{yes},{no}"', allow_blank=True, error=err)
    if kind == "whole":
        low = 1 if column in ("containers", "capacity_teu") else 0
        return cls(
            type="whole",
            operator="between",
            formula1=str(low),
            formula2="100000",
            allow_blank=True,
            error="请输入整数" if zh else "a whole number",
        )
    if kind == "decimal":
        return cls(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            error="请输入数字" if zh else "a number",
        )
    if kind == "date":
        return cls(
            type="date",
            operator="between",
            formula1="DATE(2000,1,1)",
            formula2="DATE(2100,12,31)",
            allow_blank=True,
            error="请输入日期" if zh else "a date",
        )
    return None
