"""Reading a planning batch and writing a plan: the only module of :mod:`routing` that
touches files.

Every problem of an input file is collected and reported at once, one line each, naming
file, row, column, the value and what was expected (:class:`InputError`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pycountry

from network import Departure, Network, UnknownPlaceError, read_text
from routing.model import (
    CONTAINER_TYPES,
    DEFAULT_CONTAINER_TYPE,
    DEFAULT_LATE_PENALTY_PER_TEU_DAY,
    Shipment,
    TruckLeg,
)

ISO_COUNTRIES = frozenset(c.alpha_2 for c in pycountry.countries)

SHIPMENT_COLUMNS = {
    "shipment_id": True,
    "origin": True,
    "destination": True,
    "containers": True,
    "container_type": False,
    "gross_t": False,
    "ready_date": True,
    "due_date": False,
    "late_penalty_per_teu_day": False,
    "split": False,
    "avoid_countries": False,
    "dg_class": False,
    "customer": False,
}
DEPARTURE_COLUMNS = {
    "departure_id": True,
    "origin": True,
    "destination": True,
    "border_port": False,
    "depart_date": True,
    "border_offset_days": False,
    "transit_days": True,
    "capacity_teu": True,
    "max_gross_t": False,
    "fixed_cost": True,
    "rate_per_teu": True,
    "min_load_teu": False,
    "reefer_plugs": False,
    "dg_allowed": False,
}
RATE_COLUMNS = {"shipment_id": True, "departure_id": True, "rate_per_teu": True}
QUOTA_COLUMNS = {"border_port": True, "trains_per_day": True, "date": False}
TRUCKING_COLUMNS = {"from": True, "to": True, "cost_per_teu": True, "days": True}


class InputError(ValueError):
    """Bad input; ``problems`` holds one line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# -- tables -----------------------------------------------------------------------------------
def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_table(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Rows of a CSV (UTF-8 with/without BOM or GB18030), XLSX or JSON file as strings,
    each with its row number as a spreadsheet shows it (header = row 1)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [_cell(h) for h in next(it, ())]
        rows = []
        for i, vals in enumerate(it, start=2):
            cells = [_cell(v) for v in vals]
            if any(cells):
                rows.append((i, dict(zip(header, cells, strict=False))))
        wb.close()
        return [h for h in header if h], rows
    if suffix == ".json":
        data = json.loads(read_text(path))
        if isinstance(data, dict):
            data = next((v for v in data.values() if isinstance(v, list)), [])
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InputError([f"{path.name}: expected a JSON list of objects"])
        header = list(dict.fromkeys(k for r in data for k in r))
        return header, [(i, {k: _cell(v) for k, v in r.items()}) for i, r in enumerate(data, 1)]
    text = read_text(path)
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    rows = []
    for i, vals in enumerate(reader, start=2):
        if any(v.strip() for v in vals):
            rows.append((i, {h: v.strip() for h, v in zip(header, vals, strict=False)}))
    return [h for h in header if h], rows


class _Reader:
    """Collects the problems of one file; typed accessors return None on a bad value."""

    def __init__(self, path: Path, columns: dict[str, bool], allow_empty: bool = False) -> None:
        self.path, self.name = path, path.name
        self.problems: list[str] = []
        self.header: list[str] = []
        self.rows: list[tuple[int, dict[str, str]]] = []
        if not path.is_file():
            self.problems.append(f"{self.name}: file not found ({path})")
            return
        if path.stat().st_size == 0:
            self.problems.append(f"{self.name}: empty file, expected a header row")
            return
        try:
            self.header, self.rows = read_table(path)
        except InputError as e:
            self.problems += e.problems
            return
        except (ValueError, OSError, KeyError) as e:
            self.problems.append(f"{self.name}: cannot read the file: {e}")
            return
        missing = [c for c, req in columns.items() if req and c not in self.header]
        unknown = [c for c in self.header if c not in columns]
        for c in missing:
            self.problems.append(f"{self.name}: row 1: missing column {c!r}")
        for c in unknown:
            self.problems.append(
                f"{self.name}: row 1, column {c!r}: unknown column; expected one of {', '.join(columns)}"
            )
        if not self.rows and not allow_empty and not missing:
            self.problems.append(f"{self.name}: no data rows")
        if missing:
            self.rows = []

    def bad(self, line: int, col: str, value: str, expected: str) -> None:
        self.problems.append(
            f"{self.name}: row {line}, column {col}: {value!r}: expected {expected}"
        )

    def text(self, line: int, row: dict[str, str], col: str, required: bool = True) -> str | None:
        v = row.get(col, "")
        if required and not v:
            self.bad(line, col, v, "a value")
            return None
        return v

    def number(
        self,
        line: int,
        row: dict[str, str],
        col: str,
        *,
        default: float | None = None,
        minimum: float | None = None,
        integer: bool = False,
        strict_min: bool = False,
        required: bool = True,
    ) -> float | None:
        v = row.get(col, "")
        if not v:
            if default is not None or not required:
                return default
            self.bad(line, col, v, "a value")
            return None
        what = "an integer" if integer else "a number"
        try:
            x = float(v.replace(",", "")) if v.count(",") and "." in v else float(v)
        except ValueError:
            self.bad(line, col, v, what)
            return None
        if not math.isfinite(x) or (integer and not x.is_integer()):
            self.bad(line, col, v, what)
            return None
        if minimum is not None and (x < minimum or (strict_min and x == minimum)):
            self.bad(line, col, v, f"{what} {'>' if strict_min else '>='} {minimum:g}")
            return None
        return x

    def date(
        self, line: int, row: dict[str, str], col: str, required: bool = True
    ) -> dt.date | None:
        v = row.get(col, "")
        if not v:
            if required:
                self.bad(line, col, v, "a date YYYY-MM-DD")
            return None
        s = v[:10].replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(s)
        except ValueError:
            pass
        try:
            return dt.datetime.strptime(s, "%Y-%m-%d").date()
        except ValueError:
            self.bad(line, col, v, "a date YYYY-MM-DD")
            return None

    def boolean(self, line: int, row: dict[str, str], col: str, default: bool) -> bool:
        v = row.get(col, "").strip().lower()
        if not v:
            return default
        if v in ("true", "yes", "y", "1", "t", "是"):
            return True
        if v in ("false", "no", "n", "0", "f", "否"):
            return False
        self.bad(line, col, v, "true or false")
        return default

    def place(
        self, net: Network, line: int, row: dict[str, str], col: str, required: bool = True
    ) -> str | None:
        v = self.text(line, row, col, required)
        if not v:
            return None
        try:
            return net.resolve(v)
        except UnknownPlaceError as e:
            self.problems.append(f"{self.name}: row {line}, column {col}: {e}")
            return None

    def duplicate(self, line: int, col: str, v: str, seen: dict[str, int]) -> None:
        if v in seen:
            self.bad(line, col, v, f"a unique id (also on row {seen[v]})")
        else:
            seen[v] = line

    def raise_if_problems(self) -> None:
        if self.problems:
            raise InputError(self.problems)


# -- readers ----------------------------------------------------------------------------------
def read_shipments(
    path: str | Path,
    net: Network,
    truck_legs: Iterable[TruckLeg] | None = None,
    *,
    origins_served: bool = True,
) -> list[Shipment]:
    """Read ``shipments.csv`` / ``.xlsx`` / ``.json``; names are resolved against ``net``.

    An origin that is not a park needs a drayage (truck) leg to a park: from ``truck_legs``
    when given (a trucking tariff sheet), else from the network's truck links (not checked
    with ``origins_served=False``, for reading back a plan's own inputs).
    """
    r = _Reader(Path(path), SHIPMENT_COLUMNS)
    legs = list(truck_legs) if truck_legs is not None else network_truck_legs(net)
    drayage = {
        leg.origin
        for leg in legs
        if net.nodes.get(leg.destination) and net.nodes[leg.destination].kind == "park"
    }
    out: list[Shipment] = []
    seen: dict[str, int] = {}
    for line, row in r.rows:
        n_before = len(r.problems)
        sid = r.text(line, row, "shipment_id")
        if sid:
            r.duplicate(line, "shipment_id", sid, seen)
        origin = r.place(net, line, row, "origin")
        if origins_served and origin and net.nodes[origin].kind != "park" and origin not in drayage:
            r.bad(
                line,
                "origin",
                row["origin"],
                "a park, or a place with a drayage (truck) link to a park",
            )
        destination = r.place(net, line, row, "destination")
        containers = r.number(line, row, "containers", minimum=1, integer=True)
        ctype = (row.get("container_type") or DEFAULT_CONTAINER_TYPE).upper()
        if ctype not in CONTAINER_TYPES:
            r.bad(
                line,
                "container_type",
                row.get("container_type", ""),
                f"one of {', '.join(CONTAINER_TYPES)}",
            )
            ctype = DEFAULT_CONTAINER_TYPE
        ct = CONTAINER_TYPES[ctype]
        gross = r.number(
            line, row, "gross_t", default=ct.default_gross_t, minimum=0, strict_min=True
        )
        if gross is not None and gross > ct.max_gross_t:
            r.bad(
                line,
                "gross_t",
                row["gross_t"],
                f"at most {ct.max_gross_t:g} t per {ctype} container",
            )
            gross = None
        ready = r.date(line, row, "ready_date")
        due = r.date(line, row, "due_date", required=False)
        if ready and due and due < ready:
            r.bad(line, "due_date", row["due_date"], f"a date on or after ready_date {ready}")
        penalty = r.number(
            line,
            row,
            "late_penalty_per_teu_day",
            default=DEFAULT_LATE_PENALTY_PER_TEU_DAY,
            minimum=0,
        )
        split = r.boolean(line, row, "split", True)
        avoid = frozenset(
            c.strip().upper()
            for c in row.get("avoid_countries", "").replace(",", ";").split(";")
            if c.strip()
        )
        unknown = sorted(avoid - ISO_COUNTRIES)
        if unknown:
            r.bad(
                line,
                "avoid_countries",
                row["avoid_countries"],
                f"ISO 3166 alpha-2 codes like RU;BY (unknown: {', '.join(unknown)})",
            )
        if len(r.problems) > n_before:
            continue
        assert (
            sid
            and origin
            and destination
            and containers
            and ready
            and gross is not None
            and penalty is not None
        )
        out.append(
            Shipment(
                shipment_id=sid,
                origin=origin,
                destination=destination,
                containers=int(containers),
                container_type=ctype,
                gross_t=gross,
                ready_date=ready,
                due_date=due,
                late_penalty_per_teu_day=penalty,
                split=split,
                avoid_countries=avoid,
                dg_class=row.get("dg_class", ""),
                customer=row.get("customer", ""),
            )
        )
    r.raise_if_problems()
    return out


def read_departures(path: str | Path, net: Network) -> list[Departure]:
    """Read ``departures.csv``; routes and countries come from the network."""
    r = _Reader(Path(path), DEPARTURE_COLUMNS)
    out: list[Departure] = []
    seen: dict[str, int] = {}
    for line, row in r.rows:
        n_before = len(r.problems)
        did = r.text(line, row, "departure_id")
        if did:
            r.duplicate(line, "departure_id", did, seen)
        origin = r.place(net, line, row, "origin")
        destination = r.place(net, line, row, "destination")
        border = r.place(net, line, row, "border_port", required=False) or ""
        if border and net.nodes[border].kind != "border":
            r.bad(line, "border_port", row["border_port"], "a border node")
        day = r.date(line, row, "depart_date")
        offset = r.number(line, row, "border_offset_days", minimum=0, integer=True, required=False)
        transit = r.number(line, row, "transit_days", minimum=0, integer=True)
        cap = r.number(line, row, "capacity_teu", minimum=0, strict_min=True, integer=True)
        max_gross = r.number(line, row, "max_gross_t", minimum=0, strict_min=True, required=False)
        fixed = r.number(line, row, "fixed_cost", minimum=0)
        rate = r.number(line, row, "rate_per_teu", minimum=0)
        min_load = r.number(line, row, "min_load_teu", default=0, minimum=0, integer=True)
        plugs = r.number(line, row, "reefer_plugs", default=0, minimum=0, integer=True)
        dg = r.boolean(line, row, "dg_allowed", False)
        if cap is not None and min_load is not None and min_load > cap:
            r.bad(line, "min_load_teu", row["min_load_teu"], f"at most capacity_teu ({cap:g})")
        if transit is not None and offset is not None and offset > transit:
            r.bad(
                line,
                "border_offset_days",
                row["border_offset_days"],
                f"at most transit_days ({transit:g})",
            )
        route: tuple[str, ...] = ()
        countries: tuple[str, ...] = ()
        if origin and destination and len(r.problems) == n_before:
            stops = [origin, *([border] if border else []), destination]
            try:
                rt = net.route(stops)
                route, countries = rt.nodes, rt.countries
                if offset is None and transit is not None:
                    offset = (
                        math.floor(rt.border_hours / rt.hours * transit)
                        if rt.hours and border
                        else 0
                    )
            except ValueError:
                r.bad(
                    line,
                    "destination",
                    row["destination"],
                    f"a place the network connects to {origin} by rail",
                )
        if len(r.problems) > n_before:
            continue
        assert (
            did
            and origin
            and destination
            and day
            and transit is not None
            and cap
            and fixed is not None
        )
        assert rate is not None and min_load is not None and plugs is not None
        out.append(
            Departure(
                departure_id=did,
                origin=origin,
                destination=destination,
                border_port=border,
                depart_date=day,
                border_offset_days=int(offset or 0),
                transit_days=int(transit),
                capacity_teu=int(cap),
                max_gross_t=max_gross,
                fixed_cost=fixed,
                rate_per_teu=rate,
                min_load_teu=int(min_load),
                reefer_plugs=int(plugs),
                dg_allowed=dg,
                route=route,
                countries=countries,
            )
        )
    r.raise_if_problems()
    return out


def read_rates(
    path: str | Path, shipment_ids: set[str], departure_ids: set[str]
) -> dict[tuple[str, str], float]:
    """Read contract rates ``rates.csv``: (shipment_id, departure_id) -> USD per TEU."""
    r = _Reader(Path(path), RATE_COLUMNS)
    out: dict[tuple[str, str], float] = {}
    seen: dict[str, int] = {}
    for line, row in r.rows:
        sid = r.text(line, row, "shipment_id")
        did = r.text(line, row, "departure_id")
        rate = r.number(line, row, "rate_per_teu", minimum=0)
        if sid and sid not in shipment_ids:
            r.bad(line, "shipment_id", sid, "a shipment_id of the shipments file")
        if did and did not in departure_ids:
            r.bad(line, "departure_id", did, "a departure_id of the timetable")
        if sid and did:
            r.duplicate(line, "shipment_id,departure_id", f"{sid},{did}", seen)
            if rate is not None:
                out[(sid, did)] = rate
    r.raise_if_problems()
    return out


def read_border_quota(
    path: str | Path, net: Network
) -> tuple[dict[str, int], dict[tuple[str, dt.date], int]]:
    """Read ``border_quota.csv``: per-port daily train quotas, optionally for one date."""
    r = _Reader(Path(path), QUOTA_COLUMNS)
    quota: dict[str, int] = {}
    by_date: dict[tuple[str, dt.date], int] = {}
    for line, row in r.rows:
        port = r.place(net, line, row, "border_port")
        if port and net.nodes[port].kind != "border":
            r.bad(line, "border_port", row["border_port"], "a border node")
        n = r.number(line, row, "trains_per_day", minimum=0, integer=True)
        day = r.date(line, row, "date", required=False)
        if port and n is not None:
            if day:
                by_date[(port, day)] = int(n)
            else:
                quota[port] = int(n)
    r.raise_if_problems()
    return quota, by_date


def read_trucking(path: str | Path, net: Network) -> list[TruckLeg]:
    """Read a trucking tariff sheet; legs are directed (from -> to). Only a header = no trucking."""
    r = _Reader(Path(path), TRUCKING_COLUMNS, allow_empty=True)
    legs: list[TruckLeg] = []
    for line, row in r.rows:
        a = r.place(net, line, row, "from")
        b = r.place(net, line, row, "to")
        cost = r.number(line, row, "cost_per_teu", minimum=0)
        days = r.number(line, row, "days", minimum=0, integer=True)
        if a and b and cost is not None and days is not None:
            legs.append(TruckLeg(origin=a, destination=b, cost_per_teu=cost, days=int(days)))
    r.raise_if_problems()
    return legs


def network_truck_legs(net: Network) -> list[TruckLeg]:
    """The network's truck links as directed legs; a leg takes whole days (at least one)."""
    legs = []
    for lk in net.truck_links():
        days = max(1, math.ceil(lk.hours / 24))
        legs.append(
            TruckLeg(origin=lk.a, destination=lk.b, cost_per_teu=lk.cost_per_teu, days=days)
        )
        legs.append(
            TruckLeg(origin=lk.b, destination=lk.a, cost_per_teu=lk.cost_per_teu, days=days)
        )
    return legs


def file_digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


# -- writing ----------------------------------------------------------------------------------
def neutralise(v: object) -> object:
    """Make text a spreadsheet will never run as a formula (CSV/XLSX formula injection)."""
    if isinstance(v, str) and v and v[0] in "=+-@\t\r":
        return "'" + v
    return v


def _text(v: object) -> object:
    return str(v).lower() if isinstance(v, bool) else v


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for row in rows:
            w.writerow([_text(neutralise(row.get(c, ""))) for c in columns])


def write_xlsx(path: Path, sheets: dict[str, tuple[Sequence[str], list[dict[str, Any]]]]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    for ws0 in list(wb.worksheets):
        wb.remove(ws0)
    for name, (columns, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(columns))
        for row in rows:
            cells = []
            for c in columns:
                v = neutralise(row.get(c, ""))
                cells.append(v.isoformat() if isinstance(v, dt.date) else v)
            ws.append(cells)
    wb.save(path)


def atomic_dir(out: Path, write: Callable[[Path], None]) -> None:
    """Write into a temporary sibling folder, then swap it into place: a failed run leaves
    the previous plan (or nothing) and never a half-written one."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a plan folder is not
    try:
        write(tmp)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_plan(plan: Any, out: str | Path, *, xlsx: bool = True) -> None:
    """Write ``assignments.csv``, ``trains.csv``, ``unassigned.csv``, ``summary.json`` and
    ``plan.xlsx`` into ``out``, atomically."""
    from routing.plan import ASSIGNMENT_COLUMNS, TRAIN_COLUMNS, UNASSIGNED_COLUMNS

    sheets = {
        "assignments": (ASSIGNMENT_COLUMNS, [a.row() for a in plan.assignments]),
        "trains": (TRAIN_COLUMNS, [t.row() for t in plan.trains]),
        "unassigned": (UNASSIGNED_COLUMNS, [u.row() for u in plan.unassigned]),
    }

    def write(tmp: Path) -> None:
        for name, (cols, rows) in sheets.items():
            write_csv(tmp / f"{name}.csv", cols, rows)
        (tmp / "summary.json").write_text(
            json.dumps(plan.summary, indent=2, ensure_ascii=False, default=str) + "\n",
            encoding="utf-8",
        )
        # the problem as solved, so that maps can be drawn again from the folder alone
        write_batch(
            tmp / "inputs", plan.problem.shipments, plan.problem.departures, plan.problem.quota
        )
        if xlsx:
            summary_rows = [
                {"key": k, "value": json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v}
                for k, v in plan.summary.items()
            ]
            write_xlsx(tmp / "plan.xlsx", {**sheets, "summary": (("key", "value"), summary_rows)})

    atomic_dir(Path(out), write)


def _unneutralise(v: str) -> str:
    return v[1:] if len(v) > 1 and v[0] == "'" and v[1] in "=+-@\t\r" else v


def read_plan(folder: str | Path, problem: Any) -> Any:
    """Read a written plan back (for ``railplan check`` and ``railplan map``)."""
    from routing.plan import Assignment, Plan, TrainLoad, Unassigned

    folder = Path(folder)
    problems: list[str] = []
    for name in ("assignments.csv", "trains.csv", "unassigned.csv", "summary.json"):
        if not (folder / name).is_file():
            problems.append(f"{folder / name}: file not found (not a plan folder?)")
    if problems:
        raise InputError(problems)

    def rows(name: str) -> list[dict[str, str]]:
        _, rs = read_table(folder / name)
        return [{k: _unneutralise(v) for k, v in r.items()} for _, r in rs]

    def date(v: str) -> dt.date:
        return dt.date.fromisoformat(v)

    try:
        assignments = tuple(
            Assignment(
                shipment_id=r["shipment_id"],
                departure_id=r["departure_id"],
                containers=int(r["containers"]),
                teu=int(r["teu"]),
                gross_t=float(r["gross_t"]),
                origin=r["origin"],
                destination=r["destination"],
                border_port=r["border_port"],
                depart_date=date(r["depart_date"]),
                arrival_date=date(r["arrival_date"]),
                late_days=int(r["late_days"]),
                freight_cost=float(r["freight_cost"]),
                truck_cost=float(r["truck_cost"]),
                late_cost=float(r["late_cost"]),
            )
            for r in rows("assignments.csv")
        )
        trains = tuple(
            TrainLoad(
                departure_id=r["departure_id"],
                origin=r["origin"],
                destination=r["destination"],
                border_port=r["border_port"],
                depart_date=date(r["depart_date"]),
                runs=r["runs"].lower() == "true",
                load_teu=int(r["load_teu"]),
                capacity_teu=int(r["capacity_teu"]),
                utilization=float(r["utilization"]),
                gross_t=float(r["gross_t"]),
                fixed_cost=float(r["fixed_cost"]),
            )
            for r in rows("trains.csv")
        )
        unassigned = tuple(
            Unassigned(
                shipment_id=r["shipment_id"],
                containers=int(r["containers"]),
                teu=int(r["teu"]),
                reason=r["reason"],
            )
            for r in rows("unassigned.csv")
        )
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (KeyError, ValueError) as e:
        raise InputError([f"{folder}: malformed plan file: {e}"]) from e
    return Plan(
        status=summary.get("status", "unknown"),
        objective=float(summary.get("objective", 0.0)),
        bound=float(summary.get("bound", 0.0)),
        gap=float(summary.get("gap", 0.0)),
        total_cost=float(summary.get("total_cost", 0.0)),
        assignments=assignments,
        trains=trains,
        unassigned=unassigned,
        summary=summary,
        problem=problem,
    )


def write_departures(path: Path, departures: Sequence[Departure]) -> None:
    """Write departures in the ``departures.csv`` format (readable by :func:`read_departures`)."""
    write_csv(
        path,
        tuple(DEPARTURE_COLUMNS),
        (
            {**{c: getattr(d, c) for c in DEPARTURE_COLUMNS}, "max_gross_t": d.max_gross_t or ""}
            for d in departures
        ),
    )


def write_batch(
    folder: str | Path,
    shipments: Sequence[Shipment],
    departures: Sequence[Departure] | None = None,
    quota: dict[str, int] | None = None,
) -> list[Path]:
    """Write a batch as railplan input files: shipments.csv (+ departures.csv, border_quota.csv)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "shipments.csv"]
    write_csv(
        written[0],
        tuple(SHIPMENT_COLUMNS),
        (
            {
                **{
                    c: getattr(s, c)
                    for c in SHIPMENT_COLUMNS
                    if c not in ("avoid_countries", "due_date")
                },
                "due_date": s.due_date or "",
                "avoid_countries": ";".join(sorted(s.avoid_countries)),
                "split": str(s.split).lower(),
            }
            for s in shipments
        ),
    )
    if departures is not None:
        written.append(out / "departures.csv")
        write_departures(written[-1], departures)
    if quota is not None:
        written.append(out / "border_quota.csv")
        write_csv(
            written[-1],
            ("border_port", "trains_per_day"),
            ({"border_port": p, "trains_per_day": q} for p, q in sorted(quota.items())),
        )
    return written
