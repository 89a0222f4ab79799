"""Reading a planning batch (shipments, departures, rates, border quotas, trucking) and
writing one back.

Every problem of an input file is collected and reported at once, one line each, naming
file, row, column, the value and what was expected (:class:`InputError`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pycountry

from network import Departure, Network
from network.io import file_problem
from network.table import sheet_names
from routing.domain.model import (
    CONTAINER_TYPES,
    DEFAULT_CONTAINER_TYPE,
    DEFAULT_LATE_PENALTY_PER_TEU_DAY,
    Shipment,
    TruckLeg,
    network_truck_legs,
)
from routing.io.errors import InputError
from routing.io.headers import sheet_kinds
from routing.io.table import RowReader, write_csv

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
#: a booked lot's columns (re-planning, see routing.domain.replan): written only when a batch
#: holds lots, read when present
LOT_COLUMNS = {"booked_on": False, "pinned": False, "move_penalty_per_container": False}
SHIPMENT_COLUMNS.update(LOT_COLUMNS)
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


def read_shipments(
    path: str | Path,
    net: Network,
    truck_legs: Iterable[TruckLeg] | None = None,
    *,
    origins_served: bool = True,
    sheet: str | None = None,
) -> list[Shipment]:
    """Read ``shipments.csv`` / ``.xlsx`` / ``.json``; names are resolved against ``net``.

    An origin that is not a park needs a drayage (truck) leg to a park: from ``truck_legs``
    when given (a trucking tariff sheet), else from the network's truck links (not checked
    with ``origins_served=False``, for reading back a plan's own inputs).
    """
    r = RowReader(Path(path), SHIPMENT_COLUMNS, kind="shipments", sheet=sheet)
    legs = list(truck_legs) if truck_legs is not None else network_truck_legs(net)
    drayage = _drayage_origins(net, legs) if origins_served else None
    out: list[Shipment] = []
    seen: dict[str, int] = {}
    for line, row in r.rows:
        sh = _read_shipment(r, net, line, row, seen, drayage)
        if sh is not None:
            out.append(sh)
    r.raise_if_problems()
    return out


def _drayage_origins(net: Network, legs: Iterable[TruckLeg]) -> set[str]:
    """The places with a drayage (truck) leg to a park."""
    return {
        leg.origin
        for leg in legs
        if net.nodes.get(leg.destination) and net.nodes[leg.destination].kind == "park"
    }


def _read_shipment(
    r: RowReader,
    net: Network,
    line: int,
    row: dict[str, str],
    seen: dict[str, int],
    drayage: set[str] | None,
) -> Shipment | None:
    """One row of the shipments file, or None (its problems recorded in ``r``): a unique
    id, known places, an origin that is a park or in ``drayage`` (not checked when None), the
    container type's gross-tonne limit, ``due_date >= ready_date`` and ISO country codes."""
    n_before = len(r.problems)
    sid = r.text(line, row, "shipment_id")
    if sid:
        r.duplicate(line, "shipment_id", sid, seen)
    origin = r.place(net, line, row, "origin")
    if (
        drayage is not None
        and origin
        and net.nodes[origin].kind != "park"
        and origin not in drayage
    ):
        r.bad(
            line,
            "origin",
            row["origin"],
            "a park, or a place with a drayage (truck) link to a park",
        )
    destination = r.place(net, line, row, "destination")
    containers = r.number(line, row, "containers")
    ctype = _container_type(r, line, row)
    gross = _gross_t(r, line, row, ctype)
    ready = r.date(line, row, "ready_date")
    due = r.date(line, row, "due_date", required=False)
    if ready and due and due < ready:
        r.bad(line, "due_date", row["due_date"], f"a date on or after ready_date {ready}")
    penalty = r.number(
        line,
        row,
        "late_penalty_per_teu_day",
        default=DEFAULT_LATE_PENALTY_PER_TEU_DAY,
    )
    split = r.boolean(line, row, "split", True)
    avoid = _avoid_countries(r, line, row)
    booked_on = row.get("booked_on", "") or None
    pinned = r.boolean(line, row, "pinned", False)
    move = r.number(line, row, "move_penalty_per_container", default=0.0)
    if pinned and not booked_on:
        r.bad(line, "pinned", row["pinned"], "a booking to pin: a departure in booked_on")
    if len(r.problems) > n_before:
        return None
    assert (
        sid
        and origin
        and destination
        and containers
        and ready
        and gross is not None
        and penalty is not None
    )
    return Shipment(
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
        booked_on=booked_on,
        pinned=pinned,
        move_penalty_per_container=move or 0.0,
    )


def _container_type(r: RowReader, line: int, row: dict[str, str]) -> str:
    """The row's container type, upper-cased: one of :data:`CONTAINER_TYPES`, the default
    when empty (and, after recording the problem, when unknown)."""
    ctype = (row.get("container_type") or DEFAULT_CONTAINER_TYPE).upper()
    if ctype not in CONTAINER_TYPES:
        r.bad(
            line,
            "container_type",
            row.get("container_type", ""),
            f"one of {', '.join(CONTAINER_TYPES)}",
        )
        ctype = DEFAULT_CONTAINER_TYPE
    return ctype


def _gross_t(r: RowReader, line: int, row: dict[str, str], ctype: str) -> float | None:
    """Gross tonnes per container: the type's default when empty, at most its maximum."""
    ct = CONTAINER_TYPES[ctype]
    gross = r.number(line, row, "gross_t", default=ct.default_gross_t)
    if gross is not None and gross > ct.max_gross_t:
        r.bad(
            line,
            "gross_t",
            row["gross_t"],
            f"at most {ct.max_gross_t:g} t per {ctype} container",
        )
        return None
    return gross


def _avoid_countries(r: RowReader, line: int, row: dict[str, str]) -> frozenset[str]:
    """The countries to avoid: ISO 3166 alpha-2 codes separated by ``;`` or ``,``."""
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
    return avoid


def read_departures(path: str | Path, net: Network, *, sheet: str | None = None) -> list[Departure]:
    """Read ``departures.csv``; routes and countries come from the network."""
    r = RowReader(Path(path), DEPARTURE_COLUMNS, kind="departures", sheet=sheet)
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
        offset = r.number(line, row, "border_offset_days", required=False)
        transit = r.number(line, row, "transit_days")
        cap = r.number(line, row, "capacity_teu")
        max_gross = r.number(line, row, "max_gross_t", required=False)
        fixed = r.number(line, row, "fixed_cost")
        rate = r.number(line, row, "rate_per_teu")
        min_load = r.number(line, row, "min_load_teu", default=0)
        plugs = r.number(line, row, "reefer_plugs", default=0)
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
    path: str | Path,
    shipment_ids: set[str] | None,
    departure_ids: set[str] | None,
    *,
    sheet: str | None = None,
) -> dict[tuple[str, str], float]:
    """Read contract rates ``rates.csv``: (shipment_id, departure_id) -> USD per TEU.

    The ids are checked against ``shipment_ids`` and ``departure_ids``; pass None to skip
    that check (to report the file's own problems when the other files could not be read)."""
    r = RowReader(Path(path), RATE_COLUMNS, kind="rates", sheet=sheet)
    out: dict[tuple[str, str], float] = {}
    seen: dict[str, int] = {}
    for line, row in r.rows:
        sid = r.text(line, row, "shipment_id")
        did = r.text(line, row, "departure_id")
        rate = r.number(line, row, "rate_per_teu")
        if sid and shipment_ids is not None and sid not in shipment_ids:
            r.bad(line, "shipment_id", sid, "a shipment_id of the shipments file")
        if did and departure_ids is not None and did not in departure_ids:
            r.bad(line, "departure_id", did, "a departure_id of the timetable")
        if sid and did:
            r.duplicate(line, "shipment_id,departure_id", f"{sid},{did}", seen)
            if rate is not None:
                out[(sid, did)] = rate
    r.raise_if_problems()
    return out


def read_border_quota(
    path: str | Path, net: Network, *, sheet: str | None = None
) -> tuple[dict[str, int], dict[tuple[str, dt.date], int]]:
    """Read ``border_quota.csv``: per-port daily train quotas, optionally for one date."""
    r = RowReader(Path(path), QUOTA_COLUMNS, kind="border_quota", sheet=sheet)
    quota: dict[str, int] = {}
    by_date: dict[tuple[str, dt.date], int] = {}
    for line, row in r.rows:
        port = r.place(net, line, row, "border_port")
        if port and net.nodes[port].kind != "border":
            r.bad(line, "border_port", row["border_port"], "a border node")
        n = r.number(line, row, "trains_per_day")
        day = r.date(line, row, "date", required=False)
        if port and n is not None:
            if day:
                by_date[(port, day)] = int(n)
            else:
                quota[port] = int(n)
    r.raise_if_problems()
    return quota, by_date


def read_trucking(path: str | Path, net: Network, *, sheet: str | None = None) -> list[TruckLeg]:
    """Read a trucking tariff sheet; legs are directed (from -> to). Only a header = no trucking."""
    r = RowReader(Path(path), TRUCKING_COLUMNS, allow_empty=True, kind="trucking", sheet=sheet)
    legs: list[TruckLeg] = []
    for line, row in r.rows:
        a = r.place(net, line, row, "from")
        b = r.place(net, line, row, "to")
        cost = r.number(line, row, "cost_per_teu")
        days = r.number(line, row, "days")
        if a and b and cost is not None and days is not None:
            legs.append(TruckLeg(origin=a, destination=b, cost_per_teu=cost, days=int(days)))
    r.raise_if_problems()
    return legs


def workbook_inputs(path: str | Path) -> dict[str, str]:
    """The input sheets of a workbook: file kind (``shipments``, ``departures``, ``rates``,
    ``border_quota``, ``trucking``) -> the name of its sheet, for the sheets named as in
    :data:`routing.io.headers.SHEETS` that hold rows; empty for a CSV or JSON file."""
    return sheet_kinds(sheet_names(Path(path)))


def file_digest(paths: Iterable[Path]) -> str:
    """SHA-256 over the names and bytes of ``paths``; a file that cannot be read is an
    :class:`InputError` naming it (every such file at once)."""
    h = hashlib.sha256()
    problems = []
    for p in paths:
        h.update(p.name.encode())
        try:
            h.update(p.read_bytes())
        except OSError as e:
            problems.append(f"{p.name}: {file_problem(p, e)}")
    if problems:
        raise InputError(problems)
    return h.hexdigest()


#: a file's columns and rows, as :func:`routing.io.table.write_csv` takes them
Table = tuple[tuple[str, ...], list[dict[str, Any]]]


def departures_table(departures: Sequence[Departure]) -> Table:
    """Departures in the ``departures.csv`` format (readable by :func:`read_departures`)."""
    return tuple(DEPARTURE_COLUMNS), [
        {**{c: getattr(d, c) for c in DEPARTURE_COLUMNS}, "max_gross_t": d.max_gross_t or ""}
        for d in departures
    ]


def shipments_table(shipments: Sequence[Shipment]) -> Table:
    """Shipments in the ``shipments.csv`` format; a lot's columns only when there are lots."""
    lots = any(s.booked_on for s in shipments)
    columns = tuple(c for c in SHIPMENT_COLUMNS if lots or c not in LOT_COLUMNS)
    rows = [
        {
            **{c: getattr(s, c) for c in columns if c not in ("avoid_countries", "due_date")},
            "due_date": s.due_date or "",
            "avoid_countries": ";".join(sorted(s.avoid_countries)),
            "split": str(s.split).lower(),
            **({"booked_on": s.booked_on or "", "pinned": str(s.pinned).lower()} if lots else {}),
        }
        for s in shipments
    ]
    return columns, rows


def batch_tables(
    shipments: Sequence[Shipment],
    departures: Sequence[Departure] | None = None,
    quota: dict[str, int] | None = None,
) -> dict[str, Table]:
    """The batch files (``shipments`` and, if given, ``departures`` and ``border_quota``) as
    tables, by file stem."""
    tables = {"shipments": shipments_table(shipments)}
    if departures is not None:
        tables["departures"] = departures_table(departures)
    if quota is not None:
        tables["border_quota"] = (
            ("border_port", "trains_per_day"),
            [{"border_port": p, "trains_per_day": q} for p, q in sorted(quota.items())],
        )
    return tables


def write_departures(path: Path, departures: Sequence[Departure]) -> None:
    """Write departures in the ``departures.csv`` format (readable by :func:`read_departures`)."""
    write_csv(path, *departures_table(departures))


def write_batch(
    folder: str | Path,
    shipments: Sequence[Shipment],
    departures: Sequence[Departure] | None = None,
    quota: dict[str, int] | None = None,
) -> list[Path]:
    """Write a batch as railplan input files: shipments.csv (+ departures.csv, border_quota.csv)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (columns, rows) in batch_tables(shipments, departures, quota).items():
        written.append(out / f"{name}.csv")
        write_csv(written[-1], columns, rows)
    return written
