"""The ledger: :class:`Ledger`, one object per database URL (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Engine, Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from network import Departure
from railplan.ledger import engine as eng
from railplan.ledger.errors import Conflict, LedgerError, NotInitialised, Refused, StaleVersion
from railplan.ledger.export import export_plan, ledger_plan
from railplan.ledger.records import (
    Booking,
    BookingRequest,
    CommitResult,
    Crossing,
    DepartureRecord,
    Status,
    Usage,
    UsedCapacity,
    VersionInfo,
    cents,
    kilograms,
)
from railplan.ledger.replay import (
    SHIPMENT_FIELDS,
    State,
    booking_from_row,
    check_snapshot,
    departure_from_row,
    norm,
    normed,
    replay,
)
from railplan.ledger.schema import (
    ACTIVE_STATES,
    BOOKING_STATES,
    DEPARTURE_STATES,
    BookingRow,
    CrossingRow,
    DepartureRow,
    EventRow,
    Meta,
    VersionRow,
)
from routing.domain.model import CONTAINER_TYPES, Shipment

if TYPE_CHECKING:
    from network import Network
    from routing.domain.plan import Assignment, Plan

T = TypeVar("T")
DEP = cast(Table, DepartureRow.__table__)
BOOK = cast(Table, BookingRow.__table__)
CROSS = cast(Table, CrossingRow.__table__)
VER = cast(Table, VersionRow.__table__)
EVT = cast(Table, EventRow.__table__)
META = cast(Table, Meta.__table__)

#: the database used when neither ``--db`` nor ``$RAILPLAN_DB`` names one
DEFAULT_URL = "sqlite:///railplan.db"
#: PostgreSQL SQLSTATEs of a lost race: serialization failure, deadlock, lock timeout
_RACE_CODES = {"40001", "40P01", "55P03"}


def default_url() -> str:
    """``$RAILPLAN_DB``, else ``sqlite:///railplan.db`` (in the current folder)."""
    return os.environ.get("RAILPLAN_DB") or DEFAULT_URL


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v


def departure_row(d: Departure) -> dict[str, Any]:
    """A :class:`network.Departure` as a ``departures`` row (limits; no usage)."""
    return {
        "departure_id": d.departure_id,
        "origin": d.origin,
        "destination": d.destination,
        "border_port": d.border_port,
        "depart_date": d.depart_date,
        "border_offset_days": d.border_offset_days,
        "transit_days": d.transit_days,
        "capacity_teu": d.capacity_teu,
        "max_gross_kg": None if d.max_gross_t is None else kilograms(d.max_gross_t),
        "fixed_cost_cents": cents(d.fixed_cost),
        "rate_per_teu_cents": cents(d.rate_per_teu),
        "min_load_teu": d.min_load_teu,
        "reefer_plugs": d.reefer_plugs,
        "dg_allowed": d.dg_allowed,
        "service_id": d.service_id,
        "corridor": d.corridor,
        "route": ";".join(d.route),
        "countries": ";".join(d.countries),
    }


@dataclass(slots=True)
class _Change:
    """One write: everything a version changes, applied in one transaction."""

    kind: str
    who: str
    base_version: int | None = None
    requests: Sequence[BookingRequest] = ()
    release: Sequence[str] = ()
    confirm: Sequence[str] = ()
    states: Mapping[str, str] = field(default_factory=dict)
    quotas: Mapping[tuple[str, dt.date], int | None] = field(default_factory=dict)
    inputs_hash: str | None = None
    objective_cents: int | None = None
    #: bookings of departures of these states may be released (a re-plan's frozen trains not)
    release_from: tuple[str, ...] = ("scheduled",)


class Ledger:
    """The booking ledger in one database (SQLite file or PostgreSQL), through ``url``.

    Every write is one transaction that either commits whole or leaves nothing, bumps the
    ledger's version by one and appends its events to the log. See the package docstring.
    """

    def __init__(self, url: str | None = None, *, busy_timeout: float = eng.BUSY_TIMEOUT_S):
        self.url = url or default_url()
        self.engine: Engine = eng.make_engine(self.url, busy_timeout=busy_timeout)
        self._ready = False

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _db_error(self, e: Exception) -> LedgerError:
        orig = getattr(e, "orig", None)
        code = getattr(getattr(orig, "diag", None), "sqlstate", None) or getattr(
            orig, "sqlstate", None
        )
        text = str(orig if orig is not None else e).strip().splitlines()[0]
        if code in _RACE_CODES or (
            self.engine.dialect.name == "sqlite" and ("locked" in text or "busy" in text)
        ):
            return Conflict([f"lost a race for the ledger's lock ({text}); nothing was written"])
        if isinstance(e, IntegrityError):
            return Refused([f"the database refused the change ({text}); nothing was written"])
        return LedgerError([f"--db {self._shown_url()}: {text}"])

    def _shown_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def _run(self, fn: Callable[[Connection], T], *, write: bool) -> T:
        if not self._ready:
            self._require_schema()
        try:
            if write:
                with self.engine.begin() as conn:
                    return fn(conn)
            with (
                self.engine.connect().execution_options(**self._read_options()) as conn,
                conn.begin(),
            ):
                return fn(conn)
        except LedgerError:
            raise
        except (DBAPIError, OperationalError, SQLAlchemyError) as e:
            raise self._db_error(e) from e

    def _read_options(self) -> dict[str, Any]:
        if eng.is_postgres(self.engine):
            return {"isolation_level": "REPEATABLE READ"}
        return dict(eng.READ)

    def _require_schema(self) -> None:
        u = make_url(self.url)
        db = u.database
        if u.get_backend_name() == "sqlite" and db and db != ":memory:" and not Path(db).is_file():
            raise NotInitialised(  # connecting would create the file
                [f"--db {self._shown_url()}: no such file; run railplan ledger init --db URL first"]
            )
        try:
            with self.engine.connect().execution_options(**self._read_options()) as conn:
                rev = eng.current(conn)
        except SQLAlchemyError as e:
            raise self._db_error(e) from e
        if rev != eng.head():
            what = "holds no ledger" if rev is None else f"is at schema {rev}, not {eng.head()}"
            raise NotInitialised(
                [f"--db {self._shown_url()}: {what}; run railplan ledger init --db URL first"]
            )
        self._ready = True

    # ------------------------------------------------------------------ schema

    def init(self) -> tuple[str | None, str]:
        """Create the ledger, or migrate it to the package's newest schema; idempotent (and
        safe when several processes call it at once). Returns (revision before, after)."""
        try:
            res = eng.migrate(self.engine)
        except SQLAlchemyError as e:
            raise self._db_error(e) from e
        self._ready = True
        return res

    # ------------------------------------------------------------------ reads

    def version(self) -> int:
        """The ledger's current version (0: nothing committed yet)."""
        return self._run(
            lambda c: int(c.execute(select(META.c.version).where(META.c.id == 1)).scalar_one()),
            write=False,
        )

    def departures(self, state: str | None = None) -> list[DepartureRecord]:
        """The registered trains (of ``state`` if given), by departure date and id."""

        def q(c: Connection) -> list[DepartureRecord]:
            s = select(DEP).order_by(DEP.c.depart_date, DEP.c.departure_id)
            if state is not None:
                s = s.where(DEP.c.state == state)
            return [departure_record(r) for r in c.execute(s).mappings()]

        return self._run(q, write=False)

    def bookings(
        self,
        state: str | Iterable[str] | None = None,
        *,
        departure_id: str | None = None,
        shipment_id: str | None = None,
    ) -> list[Booking]:
        """The bookings (of ``state``: one or several of held, confirmed, cancelled), by id."""
        states = [state] if isinstance(state, str) else (list(state) if state else None)

        def q(c: Connection) -> list[Booking]:
            s = select(BOOK).order_by(BOOK.c.created_version, BOOK.c.booking_id)
            if states is not None:
                s = s.where(BOOK.c.state.in_(states))
            if departure_id is not None:
                s = s.where(BOOK.c.departure_id == departure_id)
            if shipment_id is not None:
                s = s.where(BOOK.c.shipment_id == shipment_id)
            return [booking_from_row(r) for r in c.execute(s).mappings()]

        return self._run(q, write=False)

    def booked_shipments(self, state: str | Iterable[str] = ("confirmed",)) -> list[Shipment]:
        """The bookings of ``state`` as shipments for the planner, one per booking, each
        ``booked_on`` its departure and ``pinned`` as booked (the re-planner's baseline)."""
        return [b.shipment() for b in self.bookings(state)]

    def crossings(self) -> list[Crossing]:
        """Every border port and day of a registered train: trains with bookings, quota."""

        def q(c: Connection) -> list[Crossing]:
            rows = c.execute(select(CROSS).order_by(CROSS.c.day, CROSS.c.port)).mappings()
            return [
                Crossing(port=r["port"], day=r["day"], trains=r["trains"], quota=r["quota"])
                for r in rows
            ]

        return self._run(q, write=False)

    def versions(self) -> list[VersionInfo]:
        def q(c: Connection) -> list[VersionInfo]:
            rows = c.execute(select(VER).order_by(VER.c.version)).mappings()
            return [
                VersionInfo(
                    version=r["version"],
                    parent=r["parent"],
                    kind=r["kind"],
                    who=r["who"],
                    at=_aware(r["at"]),
                    inputs_hash=r["inputs_hash"],
                    objective_cents=r["objective_cents"],
                )
                for r in rows
            ]

        return self._run(q, write=False)

    def events(self) -> list[dict[str, Any]]:
        """The event log in order: id, version, at, kind, payload."""

        def q(c: Connection) -> list[dict[str, Any]]:
            rows = c.execute(select(EVT).order_by(EVT.c.id)).mappings()
            return [{**dict(r), "at": _aware(r["at"])} for r in rows]

        return self._run(q, write=False)

    def used_capacity(self) -> UsedCapacity:
        """TEU, kilograms and reefer plugs that active (held or confirmed) bookings use on
        every registered train, and the trains per border port and day; one snapshot."""

        def q(c: Connection) -> UsedCapacity:
            v = int(c.execute(select(META.c.version).where(META.c.id == 1)).scalar_one())
            split = _teu_by_state(c)
            trains = {
                r["departure_id"]: _usage(r, split.get(r["departure_id"], {}))
                for r in c.execute(select(DEP).order_by(DEP.c.departure_id)).mappings()
            }
            crossings = {
                (r["port"], r["day"]): Crossing(
                    port=r["port"], day=r["day"], trains=r["trains"], quota=r["quota"]
                )
                for r in c.execute(select(CROSS)).mappings()
            }
            return UsedCapacity(version=v, trains=trains, crossings=crossings)

        return self._run(q, write=False)

    def status(self, at: dt.date | dt.datetime | None = None) -> Status:
        """Capacity sold (confirmed), held and left per train and crossings per port and day:
        now, or as the ledger stood at ``at`` (a date: its end, UTC), replayed from the log."""
        if at is None:
            used = self.used_capacity()
            counts: dict[str, int] = defaultdict(int)
            for b in self._run(
                lambda c: list(c.execute(select(BOOK.c.state)).scalars()), write=False
            ):
                counts[b] += 1
            return Status(
                version=used.version,
                at=None,
                trains=tuple(sorted(used.trains.values(), key=lambda u: (u.departure_id,))),
                crossings=tuple(sorted(used.crossings.values(), key=lambda x: (x.day, x.port))),
                bookings=dict(sorted(counts.items())),
            )
        until = (
            at
            if isinstance(at, dt.datetime)
            else dt.datetime.combine(at + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
        until = _aware(until)
        state = replay(e for e in self.events() if e["at"] < until)
        return state.status(at=until)

    # ------------------------------------------------------------------ writes

    def register_departures(
        self,
        departures: Iterable[Departure],
        *,
        quota: Mapping[str, int] | None = None,
        quota_by_date: Mapping[tuple[str, dt.date], int] | None = None,
        who: str = "",
    ) -> int:
        """Register dated trains (state scheduled, nothing used), and a crossing for each new
        (border port, day) with its quota from ``quota_by_date``, else ``quota`` (per port),
        else none. Idempotent: a train registered before with the same limits is skipped; with
        other limits it is :class:`Refused`. Existing crossings keep their quota (see
        :meth:`set_quota`). Returns the ledger version (unchanged when nothing was new)."""
        deps = list(departures)
        quota = dict(quota or {})
        by_date = dict(quota_by_date or {})

        def fn(c: Connection) -> int:
            v0 = _lock_meta(c)
            rows = {d.departure_id: departure_row(d) for d in deps}
            if len(rows) != len(deps):
                dup = sorted(
                    {
                        d.departure_id
                        for d in deps
                        if sum(x.departure_id == d.departure_id for x in deps) > 1
                    }
                )
                raise Refused([f"departure {i}: given twice" for i in dup[:20]])
            old = {
                r["departure_id"]: r
                for r in c.execute(
                    select(DEP).where(DEP.c.departure_id.in_(sorted(rows))).with_for_update()
                ).mappings()
            }
            problems = []
            for did in sorted(old):
                for k, v in rows[did].items():
                    if old[did][k] != v:
                        problems.append(
                            f"departure {did}: registered with {k} {old[did][k]!r}, not {v!r}"
                        )
                        break
            if problems:
                raise Refused(problems)
            new = [rows[i] for i in rows if i not in old]
            if not new:
                return v0
            v = v0 + 1
            now = _now()
            keys = sorted({(r["border_port"], _border_day(r)) for r in new if r["border_port"]})
            have = {
                (r["port"], r["day"])
                for r in c.execute(
                    select(CROSS.c.port, CROSS.c.day).where(
                        CROSS.c.port.in_(sorted({k[0] for k in keys}))
                    )
                ).mappings()
            }
            new_cross = [
                {"port": p, "day": d, "quota": by_date.get((p, d), quota.get(p)), "trains": 0}
                for p, d in keys
                if (p, d) not in have
            ]
            _version(c, v, v0, "register_departures", who, now)
            c.execute(
                insert(DEP),
                [
                    {
                        **r,
                        "state": "scheduled",
                        "used_teu": 0,
                        "used_kg": 0,
                        "used_plugs": 0,
                        "active_bookings": 0,
                    }
                    for r in new
                ],
            )
            if new_cross:
                c.execute(insert(CROSS), new_cross)
            events = [_event(v, now, "departure", {k: _iso(x) for k, x in r.items()}) for r in new]
            events += [
                _event(
                    v,
                    now,
                    "quota",
                    {"port": x["port"], "day": x["day"].isoformat(), "quota": x["quota"]},
                )
                for x in new_cross
            ]
            c.execute(insert(EVT), events)
            _bump_meta(c, v0, v)
            return v

        return self._run(fn, write=True)

    def book(
        self, request: BookingRequest, *, who: str = "", base_version: int | None = None
    ) -> Booking:
        """Book containers on a train by hand, confirmed (or held with ``request.held``).
        Refused (:class:`Refused`, one line per reason) if it does not fit: TEU, tonnes,
        reefer plugs, dangerous goods, avoided countries, the train's state, or the border
        quota of the train's port and day when the train carries nothing yet. With
        ``base_version``: :class:`StaleVersion` if the ledger moved past it."""
        res = self._change(
            _Change(kind="book", who=who, base_version=base_version, requests=[request])
        )
        return self._booking(res.booking_ids[0])

    def _booking(self, booking_id: str) -> Booking:
        def q(c: Connection) -> Booking:
            r = c.execute(select(BOOK).where(BOOK.c.booking_id == booking_id)).mappings().first()
            if r is None:
                raise Refused([f"booking {booking_id}: unknown booking"])
            return booking_from_row(r)

        return self._run(q, write=False)

    def cancel(self, booking_id: str, *, who: str = "", base_version: int | None = None) -> Booking:
        """Cancel one held or confirmed booking: its capacity is free again (and the train's
        border crossing when it carried nothing else). Refused for an unknown or already
        cancelled booking and for a train that has departed."""
        self._change(
            _Change(kind="cancel", who=who, base_version=base_version, release=[booking_id])
        )
        return self._booking(booking_id)

    def confirm(
        self, booking_id: str, *, who: str = "", base_version: int | None = None
    ) -> Booking:
        """Turn a held booking into a confirmed one."""
        self._change(
            _Change(kind="confirm", who=who, base_version=base_version, confirm=[booking_id])
        )
        return self._booking(booking_id)

    def expire_holds(self, now: dt.datetime | None = None, *, who: str = "") -> list[str]:
        """Cancel every held booking whose ``hold_until`` has passed; returns their ids."""
        t = _aware(now or _now())
        held = [
            b.booking_id
            for b in self.bookings("held")
            if b.hold_until is not None and _aware(b.hold_until) <= t
        ]
        if held:
            self._change(_Change(kind="expire_holds", who=who, release=held))
        return held

    def set_departure_state(
        self, departure_id: str, state: str, *, who: str = "", base_version: int | None = None
    ) -> int:
        """Mark a train cancelled (refused while it carries active bookings: move them with
        :meth:`commit_assignments` ``release=``) or departed (its bookings are frozen), or
        scheduled again. Returns the new version."""
        return self._change(
            _Change(
                kind="departure_state",
                who=who,
                base_version=base_version,
                states={departure_id: state},
            )
        ).version

    def set_quota(
        self,
        port: str,
        day: dt.date,
        trains_per_day: int | None,
        *,
        who: str = "",
        base_version: int | None = None,
    ) -> int:
        """Set the quota of a border port on one day (None: no limit); refused below the
        trains that already cross it with bookings. Returns the new version."""
        return self._change(
            _Change(
                kind="quota",
                who=who,
                base_version=base_version,
                quotas={(port, day): trains_per_day},
            )
        ).version

    def commit_assignments(
        self,
        assignments: Iterable[Assignment],
        *,
        shipments: Iterable[Shipment],
        base_version: int,
        who: str = "",
        inputs_hash: str | None = None,
        objective: float | None = None,
        release: Sequence[str] = (),
        cancel_departures: Sequence[str] = (),
        quotas: Mapping[tuple[str, dt.date], int | None] | None = None,
        pinned: bool = False,
        prices: Mapping[tuple[str, str], float] | None = None,
    ) -> CommitResult:
        """Turn a plan's assignments into confirmed bookings, as ONE transaction.

        ``shipments`` gives each assignment's shipment (by ``shipment_id``: type, mass, dates,
        customer). The plan must have been made on ledger version ``base_version``: if the
        ledger has moved on, :class:`StaleVersion` and nothing is written. Inside the
        transaction every train and border day is checked again (:class:`Refused` if one would
        be over its limit). A re-plan moves bookings in the same transaction: ``release``
        cancels bookings first, ``cancel_departures`` then cancels trains (which must be empty
        by then), ``quotas`` sets border quotas. A booking's price is ``prices[(shipment,
        departure)]`` (USD) if given, else the assignment's freight plus trucking cost; its
        rate is the freight cost per TEU. ``objective`` (USD) is recorded in cents."""
        ships = {s.shipment_id: s for s in shipments}
        prices = dict(prices or {})
        reqs: list[BookingRequest] = []
        missing = []
        for a in assignments:
            sh = ships.get(a.shipment_id)
            if sh is None:
                missing.append(f"assignment {a.shipment_id} on {a.departure_id}: unknown shipment")
                continue
            price = prices.get((a.shipment_id, a.departure_id), a.freight_cost + a.truck_cost)
            reqs.append(
                BookingRequest.from_shipment(
                    sh,
                    a.departure_id,
                    a.containers,
                    pinned=pinned or sh.pinned,
                    rate_per_teu=(a.freight_cost / a.teu) if a.teu else None,
                    price=price,
                )
            )
        if missing:
            raise Refused(missing)
        return self._change(
            _Change(
                kind="commit",
                who=who,
                base_version=base_version,
                requests=reqs,
                release=list(release),
                states=dict.fromkeys(cancel_departures, "cancelled"),
                quotas=dict(quotas or {}),
                inputs_hash=inputs_hash,
                objective_cents=None if objective is None else cents(objective),
            )
        )

    def commit_plan(self, plan: Plan, *, base_version: int, **kw: Any) -> CommitResult:
        """:meth:`commit_assignments` of ``plan.assignments`` with the plan's shipments and
        objective."""
        kw.setdefault("objective", plan.objective)
        return self.commit_assignments(
            plan.assignments, shipments=plan.problem.shipments, base_version=base_version, **kw
        )

    # ------------------------------------------------------------------ export and check

    def export(self, folder: str | Path, net: Network | None = None, *, xlsx: bool = True) -> Plan:
        """Write the confirmed state as a plan folder (``routing.io.write_plan``: the folder
        rule of ``--out`` applies) and return the :class:`Plan`; costs are recomputed on
        ``net`` (default: the bundled network)."""
        plan = self.plan(net)
        export_plan(plan, folder, xlsx=xlsx)
        return plan

    def plan(self, net: Network | None = None) -> Plan:
        """The confirmed state as a :class:`Plan` (what :meth:`export` writes), from one
        snapshot of the ledger."""

        def q(c: Connection) -> tuple[Any, ...]:
            v = int(c.execute(select(META.c.version).where(META.c.id == 1)).scalar_one())
            bs = [
                booking_from_row(r)
                for r in c.execute(
                    select(BOOK)
                    .where(BOOK.c.state == "confirmed")
                    .order_by(BOOK.c.created_version, BOOK.c.booking_id)
                ).mappings()
            ]
            ds = [
                departure_record(r)
                for r in c.execute(
                    select(DEP).order_by(DEP.c.depart_date, DEP.c.departure_id)
                ).mappings()
            ]
            xs = [
                Crossing(port=r["port"], day=r["day"], trains=r["trains"], quota=r["quota"])
                for r in c.execute(select(CROSS).order_by(CROSS.c.day, CROSS.c.port)).mappings()
            ]
            return v, bs, ds, xs

        v, bs, ds, xs = self._run(q, write=False)
        plan: Plan = ledger_plan(v, bs, ds, xs, net)
        return plan

    def check(self) -> list[str]:
        """Every invariant, one line per violation (empty: the ledger is sound): usage
        counters equal the sums of active bookings; no train over its TEU, tonnes or plugs; no
        active booking on a cancelled train; crossings equal the trains carrying bookings and
        are within their quotas; versions contiguous with their events; and replaying the
        event log gives exactly the departures, crossings and bookings tables."""

        def q(c: Connection) -> list[str]:
            snap = {
                "meta": int(c.execute(select(META.c.version).where(META.c.id == 1)).scalar_one()),
                "departures": [dict(r) for r in c.execute(select(DEP)).mappings()],
                "crossings": [dict(r) for r in c.execute(select(CROSS)).mappings()],
                "bookings": [dict(r) for r in c.execute(select(BOOK)).mappings()],
                "versions": [
                    dict(r) for r in c.execute(select(VER).order_by(VER.c.version)).mappings()
                ],
                "events": [dict(r) for r in c.execute(select(EVT).order_by(EVT.c.id)).mappings()],
            }
            return check_snapshot(snap)

        return self._run(q, write=False)

    # ------------------------------------------------------------------ the one write path

    def _change(self, ch: _Change) -> CommitResult:
        bad = _static_problems(ch)
        if bad:
            raise Refused(bad)
        return self._run(lambda c: _apply(c, ch), write=True)


# ---------------------------------------------------------------------- helpers


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def _border_day(r: Mapping[Any, Any]) -> dt.date:
    return r["depart_date"] + dt.timedelta(days=r["border_offset_days"])  # type: ignore[no-any-return]


def departure_record(r: Mapping[Any, Any]) -> DepartureRecord:
    return DepartureRecord(
        departure=departure_from_row(r),
        state=r["state"],
        used_teu=r["used_teu"],
        used_kg=r["used_kg"],
        used_plugs=r["used_plugs"],
        active_bookings=r["active_bookings"],
    )


def _teu_by_state(c: Connection) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in c.execute(
        select(BOOK.c.departure_id, BOOK.c.state, BOOK.c.containers, BOOK.c.teu_per_container)
    ):
        out[r[0]][r[1]] += r[2] * r[3]
    return out


def _usage(r: Mapping[Any, Any], by_state: Mapping[str, int]) -> Usage:
    return Usage(
        departure_id=r["departure_id"],
        state=r["state"],
        teu=r["used_teu"],
        capacity_teu=r["capacity_teu"],
        gross_kg=r["used_kg"],
        max_gross_kg=r["max_gross_kg"],
        plugs=r["used_plugs"],
        reefer_plugs=r["reefer_plugs"],
        bookings=r["active_bookings"],
        confirmed_teu=by_state.get("confirmed", 0),
        held_teu=by_state.get("held", 0),
    )


def _lock_meta(c: Connection) -> int:
    """Lock the meta row (every writer takes it first: writers are serialised on PostgreSQL
    too, and no two can lock rows in different orders) and return the version."""
    return int(
        c.execute(select(META.c.version).where(META.c.id == 1).with_for_update()).scalar_one()
    )


def _bump_meta(c: Connection, v0: int, v: int) -> None:
    res = c.execute(update(META).where(META.c.id == 1, META.c.version == v0).values(version=v))
    if res.rowcount != 1:
        raise Conflict([f"the ledger moved from version {v0} while this change held its lock"])


def _version(
    c: Connection,
    v: int,
    parent: int,
    kind: str,
    who: str,
    now: dt.datetime,
    inputs_hash: str | None = None,
    objective_cents: int | None = None,
) -> None:
    c.execute(
        insert(VER).values(
            version=v,
            parent=parent,
            kind=kind,
            who=who or _default_who(),
            at=now,
            inputs_hash=inputs_hash,
            objective_cents=objective_cents,
        )
    )


def _default_who() -> str:
    return os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"


def _event(v: int, now: dt.datetime, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"version": v, "at": now, "kind": kind, "payload": payload}


def _static_problems(ch: _Change) -> list[str]:
    """What is wrong with the requests on their own (no database needed)."""
    out = []
    for r in ch.requests:
        where = f"booking {r.shipment_id} on {r.departure_id}"
        ct = CONTAINER_TYPES.get(r.container_type)
        if not r.shipment_id:
            out.append(f"{where}: expected a non-empty shipment id")
        if not r.departure_id:
            out.append(f"{where}: expected a departure id")
        if r.containers < 1:
            out.append(f"{where}: containers {r.containers}: expected an integer >= 1")
        if ct is None:
            out.append(
                f"{where}: container type {r.container_type!r}: expected one of {', '.join(CONTAINER_TYPES)}"
            )
        elif not 0 < r.gross_t <= ct.max_gross_t:
            out.append(
                f"{where}: gross_t {r.gross_t:g}: expected > 0 and at most {ct.max_gross_t:g} t per {ct.code} container"
            )
        if r.due_date is not None and r.due_date < r.ready_date:
            out.append(f"{where}: due date {r.due_date} before ready date {r.ready_date}")
        if r.hold_until is not None and not r.held:
            out.append(f"{where}: a hold expiry is only for a held booking")
        if (
            r.late_penalty_per_teu_day < 0
            or (r.price is not None and r.price < 0)
            or (r.rate_per_teu is not None and r.rate_per_teu < 0)
        ):
            out.append(f"{where}: expected money amounts >= 0")
    for d, s in ch.states.items():
        if s not in DEPARTURE_STATES:
            out.append(f"departure {d}: state {s!r}: expected one of {', '.join(DEPARTURE_STATES)}")
    for (port, day), q in ch.quotas.items():
        if q is not None and q < 0:
            out.append(f"border {port} on {day}: quota {q}: expected an integer >= 0")
    if len(set(ch.release)) != len(ch.release):
        out.append("a booking is released twice")
    return out


def _apply(c: Connection, ch: _Change) -> CommitResult:
    """The one write path: lock, check everything against the locked rows, write, or raise
    (the caller's transaction then rolls back whole).

    Lock order, the same for every writer: the meta row, the bookings released, the
    departures touched (by id), the crossings touched (by port and day). On SQLite the
    ``BEGIN IMMEDIATE`` of the transaction already holds the database's write lock."""
    v0 = _lock_meta(c)
    if ch.base_version is not None and v0 != ch.base_version:
        raise StaleVersion(ch.base_version, v0)
    v = v0 + 1
    now = _now()
    problems: list[str] = []

    touched_bookings = sorted(set(ch.release) | set(ch.confirm))
    old_b = (
        {
            r["booking_id"]: dict(r)
            for r in c.execute(
                select(BOOK)
                .where(BOOK.c.booking_id.in_(touched_bookings))
                .order_by(BOOK.c.booking_id)
                .with_for_update()
            ).mappings()
        }
        if touched_bookings
        else {}
    )
    for bid in touched_bookings:
        if bid not in old_b:
            problems.append(f"booking {bid}: unknown booking")
    dep_ids = sorted(
        {r.departure_id for r in ch.requests}
        | {b["departure_id"] for b in old_b.values()}
        | set(ch.states)
    )
    deps = {
        r["departure_id"]: dict(r)
        for r in c.execute(
            select(DEP)
            .where(DEP.c.departure_id.in_(dep_ids))
            .order_by(DEP.c.departure_id)
            .with_for_update()
        ).mappings()
    }
    for d in dep_ids:
        if d not in deps:
            problems.append(f"departure {d}: unknown departure (not registered in the ledger)")
    if problems:
        raise Refused(problems)
    before = {d: dict(r) for d, r in deps.items()}
    cross_keys = sorted(
        {(r["border_port"], _border_day(r)) for r in deps.values() if r["border_port"]}
        | set(ch.quotas)
    )
    cross: dict[tuple[str, dt.date], dict[str, Any]] = {}
    for p in sorted({k[0] for k in cross_keys}):
        days = sorted(k[1] for k in cross_keys if k[0] == p)
        for r in c.execute(
            select(CROSS)
            .where(CROSS.c.port == p, CROSS.c.day.in_(days))
            .order_by(CROSS.c.day)
            .with_for_update()
        ).mappings():
            cross[(r["port"], r["day"])] = dict(r)
    for k in ch.quotas:
        if k not in cross:
            problems.append(f"border {k[0]} on {k[1]}: no registered train crosses it")
    cross_before = {k: dict(r) for k, r in cross.items()}

    events: list[dict[str, Any]] = []
    b_updates: list[dict[str, Any]] = []

    def take(d: dict[str, Any], sign: int, n: int, teu: int, kg: int, reefer: bool) -> None:
        d["used_teu"] += sign * n * teu
        d["used_kg"] += sign * n * kg
        d["used_plugs"] += sign * n if reefer else 0
        d["active_bookings"] += sign

    # 1. releases (cancel bookings) and confirmations
    for bid in ch.release:
        b = old_b[bid]
        d = deps[b["departure_id"]]
        if b["state"] not in ACTIVE_STATES:
            problems.append(f"booking {bid}: already {b['state']}")
            continue
        if d["state"] not in ch.release_from:
            problems.append(
                f"booking {bid}: its train {d['departure_id']} has {d['state']}; its bookings are frozen"
            )
            continue
        take(d, -1, b["containers"], b["teu_per_container"], b["gross_kg"], b["reefer"])
        b_updates.append({"b_id": bid, "b_state": "cancelled"})
        events.append(_event(v, now, "booking_state", {"booking_id": bid, "state": "cancelled"}))
    for bid in ch.confirm:
        b = old_b[bid]
        if b["state"] != "held":
            problems.append(f"booking {bid}: is {b['state']}, not held")
            continue
        b_updates.append({"b_id": bid, "b_state": "confirmed"})
        events.append(_event(v, now, "booking_state", {"booking_id": bid, "state": "confirmed"}))

    # 2. train states and quotas
    for did, s in sorted(ch.states.items()):
        d = deps[did]
        if d["state"] == s:
            problems.append(f"departure {did}: is {s} already")
            continue
        if d["state"] == "departed":
            problems.append(f"departure {did}: has departed; its state is final")
            continue
        d["state"] = s
        events.append(_event(v, now, "departure_state", {"departure_id": did, "state": s}))
    for k, q in sorted(ch.quotas.items()):
        if k in cross:
            cross[k]["quota"] = q
            events.append(
                _event(v, now, "quota", {"port": k[0], "day": k[1].isoformat(), "quota": q})
            )

    # 3. new bookings
    new_rows: list[dict[str, Any]] = []
    asked: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for k, r in enumerate(ch.requests, start=1):  # type: ignore[assignment]
        d = deps[r.departure_id]
        ct = CONTAINER_TYPES[r.container_type]
        where = f"booking {r.shipment_id} on {r.departure_id}"
        if d["state"] != "scheduled":
            problems.append(f"{where}: the train is {d['state']}")
            continue
        if r.dg_class and not d["dg_allowed"]:
            problems.append(
                f"{where}: dangerous goods (class {r.dg_class}) on a train that does not take them"
            )
        if ct.reefer and d["reefer_plugs"] == 0:
            problems.append(f"{where}: reefer containers on a train without reefer plugs")
        avoided = sorted(r.avoid_countries & set(filter(None, d["countries"].split(";"))))
        if avoided:
            problems.append(f"{where}: the train crosses avoided countries {', '.join(avoided)}")
        if r.ready_date > d["depart_date"]:
            problems.append(
                f"{where}: ready {r.ready_date}, after the train departs {d['depart_date']}"
            )
        kg = kilograms(r.gross_t)
        take(d, +1, r.containers, ct.teu, kg, ct.reefer)
        a = asked[r.departure_id]
        a[0] += r.containers * ct.teu
        a[1] += r.containers * kg
        a[2] += r.containers if ct.reefer else 0
        rate = d["rate_per_teu_cents"] if r.rate_per_teu is None else cents(r.rate_per_teu)
        price = rate * r.containers * ct.teu if r.price is None else cents(r.price)
        row = {
            "booking_id": f"B{v}-{k}",
            "shipment_id": r.shipment_id,
            "customer": r.customer,
            "containers": r.containers,
            "container_type": r.container_type,
            "teu_per_container": ct.teu,
            "reefer": ct.reefer,
            "gross_kg": kg,
            "origin": r.origin,
            "destination": r.destination,
            "ready_date": r.ready_date,
            "due_date": r.due_date,
            "late_penalty_cents_per_teu_day": cents(r.late_penalty_per_teu_day),
            "split": r.split,
            "avoid_countries": ";".join(sorted(r.avoid_countries)),
            "dg_class": r.dg_class,
            "departure_id": r.departure_id,
            "state": "held" if r.held else "confirmed",
            "pinned": r.pinned,
            "hold_until": None if r.hold_until is None else _aware(r.hold_until),
            "rate_per_teu_cents": rate,
            "price_cents": price,
            "created_version": v,
            "updated_version": v,
        }
        new_rows.append(row)
        events.append(_event(v, now, "booking", {k2: _iso(x) for k2, x in row.items()}))

    # 4. a shipment is one lot: its active bookings share its attributes
    if new_rows:
        released = set(ch.release)
        lots: dict[str, dict[str, Any]] = {}
        sids = sorted({r["shipment_id"] for r in new_rows})
        for r in c.execute(
            select(BOOK).where(BOOK.c.shipment_id.in_(sids), BOOK.c.state.in_(ACTIVE_STATES))
        ).mappings():
            if r["booking_id"] not in released:
                lots.setdefault(r["shipment_id"], normed(r))
        for nr in new_rows:
            lot = lots.setdefault(nr["shipment_id"], normed(nr))
            diff = [f for f in SHIPMENT_FIELDS if lot[f] != norm(f, nr[f])]
            if diff:
                problems.append(
                    f"booking {nr['shipment_id']} on {nr['departure_id']}: shipment {nr['shipment_id']} "
                    f"is booked with another {', '.join(diff)}; one shipment is one lot"
                )

    # 5. every touched train and border day within its limits, in its final state
    for did in dep_ids:
        d, b0 = deps[did], before[did]
        a = asked.get(did, [0, 0, 0])
        if d["used_teu"] > d["capacity_teu"]:
            left = d["capacity_teu"] - (d["used_teu"] - a[0])
            problems.append(
                f"departure {did}: {a[0]} TEU do not fit, {max(left, 0)} of {d['capacity_teu']} TEU left"
            )
        if d["max_gross_kg"] is not None and d["used_kg"] > d["max_gross_kg"]:
            left_t = (d["max_gross_kg"] - (d["used_kg"] - a[1])) / 1000
            problems.append(
                f"departure {did}: {a[1] / 1000:g} t do not fit, {max(left_t, 0):g} of {d['max_gross_kg'] / 1000:g} t left"
            )
        if d["used_plugs"] > d["reefer_plugs"]:
            left_p = d["reefer_plugs"] - (d["used_plugs"] - a[2])
            problems.append(
                f"departure {did}: {a[2]} reefers do not fit, {max(left_p, 0)} of {d['reefer_plugs']} reefer plugs free"
            )
        if d["state"] == "cancelled" and d["active_bookings"] > 0:
            problems.append(
                f"departure {did}: cannot be cancelled while it carries {d['active_bookings']} active booking(s)"
            )
        if d["border_port"]:
            k = (d["border_port"], _border_day(d))
            was, now_runs = b0["active_bookings"] > 0, d["active_bookings"] > 0
            if k not in cross:
                problems.append(f"departure {did}: its crossing {k[0]} on {k[1]} is not registered")
            elif was != now_runs:
                cross[k]["trains"] += 1 if now_runs else -1
    for k, x in sorted(cross.items()):
        if x["quota"] is not None and x["trains"] > x["quota"]:
            was = cross_before[k]["trains"]
            problems.append(
                f"border {k[0]} on {k[1]}: quota of {x['quota']} train(s) a day"
                + (
                    f" taken ({was} train(s) with bookings already cross)"
                    if x["trains"] > was
                    else f" is below the {x['trains']} train(s) with bookings that cross"
                )
            )
    if problems:
        raise Refused(problems)

    # 6. write
    _version(c, v, v0, ch.kind, ch.who, now, ch.inputs_hash, ch.objective_cents)
    for did in dep_ids:
        d, b0 = deps[did], before[did]
        if d == b0:
            continue
        res = c.execute(
            update(DEP)
            .where(
                DEP.c.departure_id == did,
                DEP.c.used_teu == b0["used_teu"],
                DEP.c.active_bookings == b0["active_bookings"],
            )
            .values(
                state=d["state"],
                used_teu=d["used_teu"],
                used_kg=d["used_kg"],
                used_plugs=d["used_plugs"],
                active_bookings=d["active_bookings"],
            )
        )
        if res.rowcount != 1:
            raise Conflict([f"departure {did}: changed while this change held its lock"])
    for k, x in cross.items():
        x0 = cross_before[k]
        if x == x0:
            continue
        res = c.execute(
            update(CROSS)
            .where(CROSS.c.port == k[0], CROSS.c.day == k[1], CROSS.c.trains == x0["trains"])
            .values(trains=x["trains"], quota=x["quota"])
        )
        if res.rowcount != 1:
            raise Conflict([f"border {k[0]} on {k[1]}: changed while this change held its lock"])
    if b_updates:
        c.execute(
            update(BOOK)
            .where(BOOK.c.booking_id == bindparam("b_id"))
            .values(state=bindparam("b_state"), updated_version=v),
            b_updates,
        )
    if new_rows:
        c.execute(insert(BOOK), new_rows)
    if ch.kind == "commit":
        events.append(
            _event(
                v,
                now,
                "commit",
                {
                    "bookings": [r["booking_id"] for r in new_rows],
                    "released": list(ch.release),
                    "inputs_hash": ch.inputs_hash,
                    "objective_cents": ch.objective_cents,
                },
            )
        )
    if not events:
        raise Refused(["nothing to change"])
    c.execute(insert(EVT), events)
    _bump_meta(c, v0, v)
    return CommitResult(
        version=v,
        booking_ids=tuple(r["booking_id"] for r in new_rows),
        cancelled=tuple(ch.release),
    )


__all__ = [
    "BOOKING_STATES",
    "DEFAULT_URL",
    "Ledger",
    "State",
    "default_url",
    "departure_row",
]
