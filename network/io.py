"""Reading the network's files: nodes, links and services.

The files are read with the project's one table reader: :mod:`network.table` (decoding, CSV,
XLSX and JSON, the rules every file follows) and :mod:`network.rows` (typed access, number
ranges, the date window). Every problem of a file is collected and reported at once, one line
each, naming file, row, column, value and what was expected. The reader's names are
re-exported here, where the rest of the project imports them from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from network.model import WEEKDAYS, Link, Node, Service
from network.rows import (
    FIRST_DATE,
    LAST_DATE,
    NUMBER_RANGES,
    NumberRange,
    RowReader,
    range_text,
)
from network.table import (
    MAX_CELL_CHARS,
    Table,
    TableError,
    cell_problem,
    column_label,
    decode,
    file_problem,
    read_table,
    read_text,
    show,
)

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "LINK_COLUMNS",
    "MAX_CELL_CHARS",
    "NODE_COLUMNS",
    "NUMBER_RANGES",
    "SERVICE_COLUMNS",
    "NetworkError",
    "NumberRange",
    "RowReader",
    "Table",
    "TableError",
    "cell_problem",
    "column_label",
    "decode",
    "file_problem",
    "range_text",
    "read_links",
    "read_nodes",
    "read_services",
    "read_table",
    "read_text",
    "show",
]

NODE_COLUMNS = (
    "id",
    "name_en",
    "name_zh",
    "aliases",
    "kind",
    "country",
    "lat",
    "lon",
    "gauge_mm",
    "gauge_change",
    "dwell_hours",
    "trains_per_day",
    "national_trains_per_day",
    "source",
)
LINK_COLUMNS = (
    "from",
    "to",
    "mode",
    "gauge_mm",
    "distance_km",
    "speed_kmh",
    "cost_per_teu",
    "source",
)
SERVICE_COLUMNS = (
    "service_id",
    "name",
    "scope",
    "corridor",
    "origin",
    "destination",
    "border_port",
    "via",
    "weekdays",
    "every_weeks",
    "capacity_teu",
    "max_gross_t",
    "fixed_cost_usd",
    "rate_per_teu_usd",
    "min_load_teu",
    "reefer_plugs",
    "dg_allowed",
    "transit_days",
    "source",
)


class NetworkError(TableError):
    """Invalid network data; ``problems`` holds one line per problem."""


# -- the network's files ----------------------------------------------------------------------
def _items(text: str | None) -> tuple[str, ...]:
    return tuple(a.strip() for a in (text or "").split(";") if a.strip())


def read_nodes(path: Path, problems: list[str]) -> list[Node]:
    r = RowReader(path, dict.fromkeys(NODE_COLUMNS, True), unknown="ignore", allow_empty=True)
    nodes = []
    for line, row in r.rows:
        n_before = len(r.problems)
        if not r.text(line, row, "source"):
            continue
        kw: dict[str, Any] = {
            "id": r.text(line, row, "id"),
            "name_en": r.text(line, row, "name_en"),
            "name_zh": r.text(line, row, "name_zh", required=False),
            "aliases": _items(row.get("aliases")),
            "kind": r.text(line, row, "kind"),
            "country": r.text(line, row, "country"),
            "lat": r.number(line, row, "lat"),
            "lon": r.number(line, row, "lon"),
            "gauge_mm": r.integer(line, row, "gauge_mm", default=1435),
            "gauge_change": r.boolean(line, row, "gauge_change", False),
            "dwell_hours": r.number(line, row, "dwell_hours", default=0.0),
            "trains_per_day": r.integer(line, row, "trains_per_day", required=False),
            "national_trains_per_day": r.integer(
                line, row, "national_trains_per_day", required=False
            ),
            "source": r.text(line, row, "source"),
        }
        if len(r.problems) == n_before and (node := r.make(line, Node, **kw)) is not None:
            nodes.append(node)
    problems += r.problems
    return nodes


def read_links(path: Path, problems: list[str]) -> list[Link]:
    r = RowReader(path, dict.fromkeys(LINK_COLUMNS, True), unknown="ignore", allow_empty=True)
    links = []
    for line, row in r.rows:
        n_before = len(r.problems)
        if not r.text(line, row, "source"):
            continue
        kw: dict[str, Any] = {
            "a": r.text(line, row, "from"),
            "b": r.text(line, row, "to"),
            "mode": r.text(line, row, "mode"),
            "gauge_mm": r.integer(line, row, "gauge_mm", required=False),
            "distance_km": r.number(line, row, "distance_km"),
            "speed_kmh": r.number(line, row, "speed_kmh"),
            "cost_per_teu": r.number(line, row, "cost_per_teu", default=0.0),
            "source": r.text(line, row, "source"),
            # optional columns (rail links): electric or diesel, and its source
            "traction": (r.text(line, row, "traction", required=False) or "").strip(),
            "traction_source": r.text(line, row, "traction_source", required=False) or "",
        }
        if len(r.problems) == n_before and (link := r.make(line, Link, **kw)) is not None:
            links.append(link)
    problems += r.problems
    return links


def _weekdays(r: RowReader, line: int, row: dict[str, str], col: str) -> tuple[int, ...]:
    out = []
    for part in (r.text(line, row, col) or "").replace(",", ";").split(";"):
        p = part.strip()[:3].title()
        if not p:
            continue
        if p not in WEEKDAYS:
            r.bad(line, col, row[col], "weekdays like Mon;Thu")
            return ()
        out.append(WEEKDAYS.index(p))
    return tuple(sorted(set(out)))


def read_services(path: Path, problems: list[str]) -> list[Service]:
    r = RowReader(path, dict.fromkeys(SERVICE_COLUMNS, True), unknown="ignore", allow_empty=True)
    services = []
    for line, row in r.rows:
        n_before = len(r.problems)
        if not r.text(line, row, "source"):
            continue
        kw: dict[str, Any] = {
            "service_id": r.text(line, row, "service_id"),
            "name": r.text(line, row, "name"),
            "scope": r.text(line, row, "scope"),
            "corridor": r.text(line, row, "corridor"),
            "origin": r.text(line, row, "origin"),
            "destination": r.text(line, row, "destination"),
            "border_port": r.text(line, row, "border_port", required=False),
            "via": _items(row.get("via")),
            "weekdays": _weekdays(r, line, row, "weekdays"),
            "every_weeks": r.integer(line, row, "every_weeks", default=1),
            "capacity_teu": r.integer(line, row, "capacity_teu"),
            "max_gross_t": r.number(line, row, "max_gross_t", required=False),
            "fixed_cost_usd": r.number(line, row, "fixed_cost_usd"),
            "rate_per_teu_usd": r.number(line, row, "rate_per_teu_usd"),
            "min_load_teu": r.integer(line, row, "min_load_teu", default=0),
            "reefer_plugs": r.integer(line, row, "reefer_plugs", default=0),
            "dg_allowed": r.boolean(line, row, "dg_allowed", False),
            "transit_days": r.integer(line, row, "transit_days", required=False),
            "source": r.text(line, row, "source"),
        }
        if len(r.problems) == n_before and (svc := r.make(line, Service, **kw)) is not None:
            services.append(svc)
    problems += r.problems
    return services
