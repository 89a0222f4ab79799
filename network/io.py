"""Reading the network's CSV files (``nodes.csv``, ``links.csv``, ``services.csv``).

This is the only module of :mod:`network` that touches files. Every problem of a file is
collected and reported at once, each naming file, row, column and value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from network.model import WEEKDAYS, Link, Node, Service

T = TypeVar("T")

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


class NetworkError(ValueError):
    """Invalid network data; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def read_text(path: Path) -> str:
    """Read a text file in UTF-8 (with or without BOM) or GB18030 (Chinese Excel)."""
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _rows(
    path: Path, required: tuple[str, ...], problems: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        problems.append(f"{path}: file not found")
        return
    reader = csv.DictReader(io.StringIO(read_text(path)))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if not header:
        problems.append(f"{path}: empty file, expected a header with {', '.join(required)}")
        return
    if missing:
        problems.append(f"{path}: missing column(s) {', '.join(missing)}")
        return
    for i, row in enumerate(reader, start=2):
        yield i, {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}


class _Row:
    """Typed access to one CSV row that records problems instead of raising."""

    def __init__(self, path: Path, line: int, row: dict[str, str], problems: list[str]) -> None:
        self.path, self.line, self.row, self.problems = path, line, row, problems

    def bad(self, col: str, expected: str) -> None:
        self.problems.append(
            f"{self.path.name}: row {self.line}, column {col}: {self.row.get(col, '')!r}: expected {expected}"
        )

    def text(self, col: str, required: bool = True) -> str:
        v = self.row.get(col, "")
        if required and not v:
            self.bad(col, "a value")
        return v

    def _parse(self, col: str, conv: Callable[[str], T], expected: str, default: T) -> T:
        v = self.row.get(col, "")
        try:
            return conv(v)
        except (ValueError, TypeError):
            self.bad(col, expected)
            return default

    def num(self, col: str, default: float | None = None) -> float:
        v = self.row.get(col, "")
        if not v and default is not None:
            return default
        return self._parse(col, float, "a number", 0.0)

    def opt_num(self, col: str) -> float | None:
        return None if not self.row.get(col, "") else self.num(col)

    def int_(self, col: str, default: int | None = None) -> int:
        v = self.row.get(col, "")
        if not v and default is not None:
            return default
        return self._parse(
            col, lambda s: int(float(s)) if float(s).is_integer() else int(s), "an integer", 0
        )

    def opt_int(self, col: str) -> int | None:
        return None if not self.row.get(col, "") else self.int_(col)

    def bool_(self, col: str, default: bool = False) -> bool:
        v = self.row.get(col, "").lower()
        if not v:
            return default
        if v in ("true", "yes", "1", "y"):
            return True
        if v in ("false", "no", "0", "n"):
            return False
        self.bad(col, "true or false")
        return default

    def make(self, cls: Callable[..., T], **kw: object) -> T | None:
        try:
            return cls(**kw)
        except ValueError as e:
            self.problems.append(f"{self.path.name}: row {self.line}: {e}")
            return None


def read_nodes(path: Path, problems: list[str]) -> list[Node]:
    nodes = []
    for line, row in _rows(path, NODE_COLUMNS, problems):
        r = _Row(path, line, row, problems)
        if not r.text("source"):
            continue
        node = r.make(
            Node,
            id=r.text("id"),
            name_en=r.text("name_en"),
            name_zh=r.text("name_zh", required=False),
            aliases=tuple(a.strip() for a in r.text("aliases", False).split(";") if a.strip()),
            kind=r.text("kind"),
            country=r.text("country"),
            lat=r.num("lat"),
            lon=r.num("lon"),
            gauge_mm=r.int_("gauge_mm", 1435),
            gauge_change=r.bool_("gauge_change"),
            dwell_hours=r.num("dwell_hours", 0.0),
            trains_per_day=r.opt_int("trains_per_day"),
            national_trains_per_day=r.opt_int("national_trains_per_day"),
            source=r.text("source"),
        )
        if node is not None:
            nodes.append(node)
    return nodes


def read_links(path: Path, problems: list[str]) -> list[Link]:
    links = []
    for line, row in _rows(path, LINK_COLUMNS, problems):
        r = _Row(path, line, row, problems)
        if not r.text("source"):
            continue
        link = r.make(
            Link,
            a=r.text("from"),
            b=r.text("to"),
            mode=r.text("mode"),
            gauge_mm=r.opt_int("gauge_mm"),
            distance_km=r.num("distance_km"),
            speed_kmh=r.num("speed_kmh"),
            cost_per_teu=r.num("cost_per_teu", 0.0),
            source=r.text("source"),
        )
        if link is not None:
            links.append(link)
    return links


def _weekdays(r: _Row, col: str) -> tuple[int, ...]:
    out = []
    for part in r.text(col).replace(",", ";").split(";"):
        p = part.strip()[:3].title()
        if not p:
            continue
        if p not in WEEKDAYS:
            r.bad(col, "weekdays like Mon;Thu")
            return ()
        out.append(WEEKDAYS.index(p))
    return tuple(sorted(set(out)))


def read_services(path: Path, problems: list[str]) -> list[Service]:
    services = []
    for line, row in _rows(path, SERVICE_COLUMNS, problems):
        r = _Row(path, line, row, problems)
        if not r.text("source"):
            continue
        svc = r.make(
            Service,
            service_id=r.text("service_id"),
            name=r.text("name"),
            scope=r.text("scope"),
            corridor=r.text("corridor"),
            origin=r.text("origin"),
            destination=r.text("destination"),
            border_port=r.text("border_port", required=False),
            via=tuple(v.strip() for v in r.text("via", False).split(";") if v.strip()),
            weekdays=_weekdays(r, "weekdays"),
            every_weeks=r.int_("every_weeks", 1),
            capacity_teu=r.int_("capacity_teu"),
            max_gross_t=r.opt_num("max_gross_t"),
            fixed_cost_usd=r.num("fixed_cost_usd"),
            rate_per_teu_usd=r.num("rate_per_teu_usd"),
            min_load_teu=r.int_("min_load_teu", 0),
            reefer_plugs=r.int_("reefer_plugs", 0),
            dg_allowed=r.bool_("dg_allowed"),
            transit_days=r.opt_int("transit_days"),
            source=r.text("source"),
        )
        if svc is not None:
            services.append(svc)
    return services
