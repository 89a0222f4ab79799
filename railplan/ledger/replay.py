"""The event log replayed, and the ledger's invariants checked on one snapshot of its tables.

Events (kind: payload):

* ``departure``: a registered train, every column of ``departures`` but the usage counters
  (state ``scheduled``);
* ``departure_state``: ``{departure_id, state}``;
* ``departure_delay``: ``{departure_id, days, depart_date}``, the train's new date;
* ``quota``: ``{port, day, quota}``, a crossing registered or its quota changed;
* ``booking``: a new booking, every column of ``bookings``;
* ``booking_state``: ``{booking_id, state}`` (confirmed, cancelled);
* ``commit``: a plan commit's summary ``{bookings, released, inputs_hash, objective_cents}``
  (informative: the events above carry its changes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from railplan.ledger.records import Crossing, Status, Usage
from railplan.ledger.rows import DEPARTURE_FIELDS, SHIPMENT_FIELDS, border_day, norm, normed
from routing.domain.model import CONTAINER_TYPES

ACTIVE = ("held", "confirmed")


class State:
    """The ledger rebuilt from its events: departures (limits and state), crossing quotas,
    bookings; :meth:`status` derives the usage."""

    def __init__(self) -> None:
        self.version = 0
        self.departures: dict[str, dict[str, Any]] = {}
        self.quotas: dict[tuple[str, dt.date], int | None] = {}
        self.bookings: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []

    def apply(self, e: Mapping[Any, Any]) -> None:
        p, kind, v = e["payload"], e["kind"], e["version"]
        self.version = max(self.version, v)
        if kind == "departure":
            row = normed(p)
            row.setdefault("state", "scheduled")
            if row["departure_id"] in self.departures:
                self.problems.append(
                    f"event {e['id']}: departure {row['departure_id']} registered twice"
                )
            self.departures[row["departure_id"]] = row
        elif kind == "departure_state":
            d = self.departures.get(p["departure_id"])
            if d is None:
                self.problems.append(
                    f"event {e['id']}: state of unknown departure {p['departure_id']}"
                )
            else:
                d["state"] = p["state"]
        elif kind == "departure_delay":
            d = self.departures.get(p["departure_id"])
            if d is None:
                self.problems.append(
                    f"event {e['id']}: delay of unknown departure {p['departure_id']}"
                )
            else:
                d["depart_date"] = norm("depart_date", p["depart_date"])
        elif kind == "quota":
            self.quotas[(p["port"], norm("day", p["day"]))] = p["quota"]
        elif kind == "booking":
            row = normed(p)
            if row["booking_id"] in self.bookings:
                self.problems.append(f"event {e['id']}: booking {row['booking_id']} created twice")
            self.bookings[row["booking_id"]] = row
        elif kind == "booking_state":
            b = self.bookings.get(p["booking_id"])
            if b is None:
                self.problems.append(f"event {e['id']}: state of unknown booking {p['booking_id']}")
            else:
                b["state"] = p["state"]
                b["updated_version"] = v
        elif kind != "commit":
            self.problems.append(f"event {e['id']}: unknown kind {kind!r}")

    def usage(self) -> dict[str, dict[str, int]]:
        """Per departure: teu, kg, plugs, bookings (active), confirmed and held TEU."""
        out: dict[str, dict[str, int]] = {d: defaultdict(int) for d in self.departures}
        for b in self.bookings.values():
            u = out.setdefault(b["departure_id"], defaultdict(int))
            teu = b["containers"] * b["teu_per_container"]
            u[b["state"] + "_teu"] += teu
            if b["state"] in ACTIVE:
                u["teu"] += teu
                u["kg"] += b["containers"] * b["gross_kg"]
                u["plugs"] += b["containers"] if b["reefer"] else 0
                u["bookings"] += 1
        return out

    def crossing_trains(self) -> dict[tuple[str, dt.date], int]:
        used = self.usage()
        out: dict[tuple[str, dt.date], int] = defaultdict(int)
        for did, d in self.departures.items():
            if d["border_port"] and used[did]["bookings"] > 0:
                out[(d["border_port"], border_day(d))] += 1
        return out

    def status(self, at: dt.datetime | None = None) -> Status:
        used = self.usage()
        trains = tuple(
            Usage(
                departure_id=did,
                state=d["state"],
                teu=used[did]["teu"],
                capacity_teu=d["capacity_teu"],
                gross_kg=used[did]["kg"],
                max_gross_kg=d["max_gross_kg"],
                plugs=used[did]["plugs"],
                reefer_plugs=d["reefer_plugs"],
                bookings=used[did]["bookings"],
                confirmed_teu=used[did]["confirmed_teu"],
                held_teu=used[did]["held_teu"],
            )
            for did, d in sorted(self.departures.items())
        )
        trains_at = self.crossing_trains()
        crossings = tuple(
            Crossing(port=k[0], day=k[1], trains=trains_at.get(k, 0), quota=q)
            for k, q in sorted(self.quotas.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        )
        counts: dict[str, int] = defaultdict(int)
        for b in self.bookings.values():
            counts[b["state"]] += 1
        return Status(
            version=self.version,
            at=at,
            trains=trains,
            crossings=crossings,
            bookings=dict(sorted(counts.items())),
        )


def replay(events: Iterable[Mapping[Any, Any]]) -> State:
    s = State()
    for e in events:
        s.apply(e)
    return s


def check_snapshot(snap: Mapping[Any, Any]) -> list[str]:
    """Every invariant of one consistent snapshot of the tables (see ``Ledger.check``), one
    line per violation, in this order: versions and events, the log replayed against the
    tables, bookings on their own, usage counters and limits."""
    meta: int = snap["meta"]
    deps = {r["departure_id"]: normed(r) for r in snap["departures"]}
    cross = {(r["port"], norm("day", r["day"])): r for r in snap["crossings"]}
    books = {r["booking_id"]: normed(r) for r in snap["bookings"]}
    return [
        *_check_versions(meta, snap["versions"], snap["events"]),
        *_check_log(replay(snap["events"]), deps, cross, books),
        *_check_bookings(meta, deps, books),
        *_check_usage(deps, cross, books),
    ]


def _check_versions(
    meta: int, versions: Sequence[Mapping[Any, Any]], events: Sequence[Mapping[Any, Any]]
) -> list[str]:
    """Versions ``1..meta`` contiguous, each ``parent = version - 1`` with at least one
    event; events in version order, each of a known version."""
    errs: list[str] = []
    nums = [v["version"] for v in versions]
    if nums != list(range(1, meta + 1)):
        errs.append(f"versions: {len(nums)} rows, expected 1..{meta} contiguous (the meta version)")
    for v in versions:
        if v["parent"] != v["version"] - 1:
            errs.append(
                f"version {v['version']}: parent {v['parent']}, expected {v['version'] - 1}"
            )
    with_events = {e["version"] for e in events}
    for n in nums:
        if n not in with_events:
            errs.append(f"version {n}: no event in the log")
    last = 0
    for e in events:
        if e["version"] < last:
            errs.append(f"event {e['id']}: version {e['version']} after version {last}")
        if e["version"] not in set(nums):
            errs.append(f"event {e['id']}: unknown version {e['version']}")
        last = max(last, e["version"])
    return errs


def _check_log(
    st: State,
    deps: Mapping[str, Mapping[str, Any]],
    cross: Mapping[tuple[str, dt.date], Mapping[Any, Any]],
    books: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """The log replayed (``st``) gives exactly the departures (their logged columns), the
    crossings' quotas and the bookings (every column) of the tables."""
    errs = list(st.problems)
    for did in sorted(set(deps) | set(st.departures)):
        a, b = deps.get(did), st.departures.get(did)
        if a is None or b is None:
            errs.append(f"departure {did}: {'in the log only' if a is None else 'not in the log'}")
            continue
        for k in DEPARTURE_FIELDS:
            if a[k] != b.get(k):
                errs.append(f"departure {did}: {k} is {a[k]!r}, the log says {b.get(k)!r}")
    for ck in sorted(set(cross) | set(st.quotas)):
        if ck not in cross or ck not in st.quotas:
            errs.append(
                f"crossing {ck[0]} on {ck[1]}: {'in the log only' if ck not in cross else 'not in the log'}"
            )
        elif cross[ck]["quota"] != st.quotas[ck]:
            errs.append(
                f"crossing {ck[0]} on {ck[1]}: quota {cross[ck]['quota']}, the log says {st.quotas[ck]}"
            )
    for bid in sorted(set(books) | set(st.bookings)):
        a, b = books.get(bid), st.bookings.get(bid)
        if a is None or b is None:
            errs.append(f"booking {bid}: {'in the log only' if a is None else 'not in the log'}")
            continue
        for k in sorted(a):
            if a[k] != b.get(k):
                errs.append(f"booking {bid}: {k} is {a[k]!r}, the log says {b.get(k)!r}")
    return errs


def _check_bookings(
    meta: int, deps: Mapping[str, Any], books: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """Each booking: TEU and reefer flag of its container type, a known departure,
    ``created_version <= updated_version <= meta``; the active bookings of one shipment share
    :data:`SHIPMENT_FIELDS` (one shipment is one lot)."""
    errs: list[str] = []
    by_ship: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for bid, b in sorted(books.items()):
        ct = CONTAINER_TYPES.get(b["container_type"])
        if ct is None or ct.teu != b["teu_per_container"] or ct.reefer != bool(b["reefer"]):
            errs.append(
                f"booking {bid}: TEU or reefer flag do not match type {b['container_type']}"
            )
        if b["departure_id"] not in deps:
            errs.append(f"booking {bid}: unknown departure {b['departure_id']}")
        if not b["created_version"] <= b["updated_version"] <= meta:
            errs.append(
                f"booking {bid}: versions {b['created_version']}..{b['updated_version']} out of 1..{meta}"
            )
        if b["state"] in ACTIVE:
            by_ship[b["shipment_id"]].append(b)
    for sid, bs in sorted(by_ship.items()):
        for k in SHIPMENT_FIELDS:
            if len({x[k] for x in bs}) > 1:
                errs.append(f"shipment {sid}: its active bookings differ in {k}")
    return errs


def _active_sums(
    deps: Mapping[str, Any], books: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, int]]:
    """Per registered departure, over its active bookings: ``teu = sum(containers *
    teu_per_container)``, ``kg = sum(containers * gross_kg)``, ``plugs = sum(containers)`` of
    reefers, ``bookings`` their number."""
    used: dict[str, dict[str, int]] = {d: defaultdict(int) for d in deps}
    for b in books.values():
        if b["state"] in ACTIVE and b["departure_id"] in used:
            u = used[b["departure_id"]]
            u["teu"] += b["containers"] * b["teu_per_container"]
            u["kg"] += b["containers"] * b["gross_kg"]
            u["plugs"] += b["containers"] if b["reefer"] else 0
            u["bookings"] += 1
    return used


def _check_usage(
    deps: Mapping[str, Mapping[str, Any]],
    cross: Mapping[tuple[str, dt.date], Mapping[Any, Any]],
    books: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """Conservation and limits: each train's counters are :func:`_active_sums`, within its
    capacity, tonnes and plugs, none on a cancelled train, its crossing registered; each
    crossing's ``trains`` is the number of trains with active bookings crossing it, within
    its quota."""
    errs: list[str] = []
    used = _active_sums(deps, books)
    trains_at: dict[tuple[str, dt.date], int] = defaultdict(int)
    for did, d in sorted(deps.items()):
        u = used[did]
        errs += _check_train_usage(did, d, u)
        if d["border_port"]:
            dk = (d["border_port"], border_day(d))
            if dk not in cross:
                errs.append(f"departure {did}: its crossing {dk[0]} on {dk[1]} is not registered")
            if u["bookings"]:
                trains_at[dk] += 1
    for xk, r in sorted(cross.items()):
        n = trains_at.get(xk, 0)
        if r["trains"] != n:
            errs.append(
                f"crossing {xk[0]} on {xk[1]}: trains {r['trains']}, {n} trains with bookings cross"
            )
        if r["quota"] is not None and n > r["quota"]:
            errs.append(f"crossing {xk[0]} on {xk[1]}: {n} trains over the quota of {r['quota']}")
    return errs


def _check_train_usage(did: str, d: Mapping[str, Any], u: Mapping[str, int]) -> list[str]:
    """One train: its counters equal the sums ``u`` of its active bookings, within limits."""
    errs: list[str] = []
    for col, key in (
        ("used_teu", "teu"),
        ("used_kg", "kg"),
        ("used_plugs", "plugs"),
        ("active_bookings", "bookings"),
    ):
        if d[col] != u[key]:
            errs.append(f"departure {did}: {col} {d[col]}, its active bookings sum to {u[key]}")
    if u["teu"] > d["capacity_teu"]:
        errs.append(f"departure {did}: {u['teu']} TEU over its capacity of {d['capacity_teu']}")
    if d["max_gross_kg"] is not None and u["kg"] > d["max_gross_kg"]:
        errs.append(
            f"departure {did}: {u['kg'] / 1000:g} t over its limit of {d['max_gross_kg'] / 1000:g} t"
        )
    if u["plugs"] > d["reefer_plugs"]:
        errs.append(f"departure {did}: {u['plugs']} reefers over its {d['reefer_plugs']} plugs")
    if d["state"] == "cancelled" and u["bookings"]:
        errs.append(f"departure {did}: cancelled but carries {u['bookings']} active booking(s)")
    return errs
