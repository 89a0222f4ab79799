"""The ledger: :class:`Ledger`, one object per database URL (see the package docstring).

The facade: it opens one transaction per call (:meth:`Ledger._run`: a write transaction that
takes the locks of :mod:`railplan.ledger.changes`, or a read snapshot), maps database errors
to the ledger's exceptions, and hands the work to :mod:`railplan.ledger.reads` (reads),
:mod:`railplan.ledger.registry` (trains and crossings) and :mod:`railplan.ledger.changes`
(bookings, train states and quotas: the one write path).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from network import Departure
from railplan.ledger import engine as eng
from railplan.ledger import holds, reads
from railplan.ledger.changes import Change
from railplan.ledger.errors import Conflict, LedgerError, NotInitialised, Refused
from railplan.ledger.records import (
    Booking,
    BookingRequest,
    CommitResult,
    Crossing,
    DepartureRecord,
    Status,
    UsedCapacity,
    VersionInfo,
    cents,
)
from railplan.ledger.registry import register
from railplan.ledger.replay import check_snapshot, replay
from railplan.ledger.rows import aware
from railplan.ledger.validate import static_problems
from railplan.ledger.versions import now as _now
from railplan.ledger.versions import read_version
from routing.domain.model import Shipment

if TYPE_CHECKING:
    from network import Network
    from routing.domain.plan import Assignment, Plan
    from routing.quote.records import Capacity

T = TypeVar("T")

#: the database used when neither ``--db`` nor ``$RAILPLAN_DB`` names one
DEFAULT_URL = "sqlite:///railplan.db"
#: PostgreSQL SQLSTATEs of a lost race: serialization failure, deadlock, lock timeout
_RACE_CODES = {"40001", "40P01", "55P03"}


def default_url() -> str:
    """``$RAILPLAN_DB``, else ``sqlite:///railplan.db`` (in the current folder)."""
    return os.environ.get("RAILPLAN_DB") or DEFAULT_URL


class Ledger:
    """The booking ledger in one database (SQLite file or PostgreSQL), through ``url``.

    Every write is one transaction that either commits whole or leaves nothing, bumps the
    ledger's version by one and appends its events to the log. See the package docstring.
    """

    def __init__(self, url: str | None = None, *, busy_timeout: float = eng.BUSY_TIMEOUT_S):
        self.url = url or default_url()
        self.engine: Engine = eng.make_engine(self.url, busy_timeout=busy_timeout)
        self._ready = False
        #: the clock quote holds expire by (tests set it)
        self.clock: Callable[[], dt.datetime] = _now
        self._capacity: Capacity | None = None
        self._trains: dict[str, Departure] = {}  # registered trains' fixed limits, by id
        #: one thread reads a new capacity snapshot; the others wait for it instead of each
        #: reading every train (a cold cache under concurrent quotes)
        self._capacity_lock = threading.Lock()

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
        return self._run(read_version, write=False)

    def departures(self, state: str | None = None) -> list[DepartureRecord]:
        """The registered trains (of ``state`` if given), by departure date and id."""
        self._sweep()
        return self._run(lambda c: reads.departures(c, state), write=False)

    def bookings(
        self,
        state: str | Iterable[str] | None = None,
        *,
        departure_id: str | None = None,
        shipment_id: str | None = None,
    ) -> list[Booking]:
        """The bookings (of ``state``: one or several of held, confirmed, cancelled), by id."""
        states = [state] if isinstance(state, str) else (list(state) if state else None)
        self._sweep()
        return self._run(
            lambda c: reads.bookings(c, states, departure_id, shipment_id), write=False
        )

    def booked_shipments(self, state: str | Iterable[str] = ("confirmed",)) -> list[Shipment]:
        """The bookings of ``state`` as shipments for the planner, one per booking, each
        ``booked_on`` its departure and ``pinned`` as booked (the re-planner's baseline)."""
        return [b.shipment() for b in self.bookings(state)]

    def crossings(self) -> list[Crossing]:
        """Every border port and day of a registered train: trains with bookings, quota."""
        self._sweep()
        return self._run(reads.crossings, write=False)

    def versions(self) -> list[VersionInfo]:
        return self._run(reads.versions, write=False)

    def events(self) -> list[dict[str, Any]]:
        """The event log in order: id, version, at, kind, payload."""
        return self._run(reads.events, write=False)

    def used_capacity(self) -> UsedCapacity:
        """TEU, kilograms and reefer plugs that active (held or confirmed) bookings use on
        every registered train, and the trains per border port and day; one snapshot."""
        self._sweep()
        return self._run(reads.used_capacity, write=False)

    def status(self, at: dt.date | dt.datetime | None = None) -> Status:
        """Capacity sold (confirmed), held and left per train and crossings per port and day:
        now, or as the ledger stood at ``at`` (a date: its end, UTC), replayed from the log."""
        if at is None:  # the counters and the bookings from one snapshot
            self._sweep()
            used, states = self._run(
                lambda c: (reads.used_capacity(c), reads.booking_states(c)), write=False
            )
            counts: dict[str, int] = defaultdict(int)
            for b in states:
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
        until = aware(until)
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
        by_port = dict(quota or {})
        by_date = dict(quota_by_date or {})
        return self._run(lambda c: register(c, deps, by_port, by_date, who), write=True)

    def book(
        self, request: BookingRequest, *, who: str = "", base_version: int | None = None
    ) -> Booking:
        """Book containers on a train by hand, confirmed (or held with ``request.held``).
        Refused (:class:`Refused`, one line per reason) if it does not fit: TEU, tonnes,
        reefer plugs, dangerous goods, avoided countries, the train's state, or the border
        quota of the train's port and day when the train carries nothing yet. With
        ``base_version``: :class:`StaleVersion` if the ledger moved past it."""
        res = self._change(
            Change(kind="book", who=who, base_version=base_version, requests=[request])
        )
        return self._booking(res.booking_ids[0])

    def _booking(self, booking_id: str) -> Booking:
        return self._run(lambda c: reads.booking(c, booking_id), write=False)

    def cancel(self, booking_id: str, *, who: str = "", base_version: int | None = None) -> Booking:
        """Cancel one held or confirmed booking: its capacity is free again (and the train's
        border crossing when it carried nothing else). Refused for an unknown or already
        cancelled booking and for a train that has departed."""
        self._change(
            Change(kind="cancel", who=who, base_version=base_version, release=[booking_id])
        )
        return self._booking(booking_id)

    def confirm(
        self, booking_id: str, *, who: str = "", base_version: int | None = None
    ) -> Booking:
        """Turn a held booking into a confirmed one."""
        self._change(
            Change(kind="confirm", who=who, base_version=base_version, confirm=[booking_id])
        )
        return self._booking(booking_id)

    def expire_holds(self, now: dt.datetime | None = None, *, who: str = "") -> list[str]:
        """Cancel every held booking whose ``hold_until`` has passed; returns their ids."""
        t = aware(now or _now())
        held = [
            b.booking_id
            for b in self.bookings("held")
            if b.hold_until is not None and aware(b.hold_until) <= t
        ]
        if held:
            self._change(Change(kind="expire_holds", who=who, release=held))
        return held

    def set_departure_state(
        self, departure_id: str, state: str, *, who: str = "", base_version: int | None = None
    ) -> int:
        """Mark a train cancelled (refused while it carries active bookings: move them with
        :meth:`commit_assignments` ``release=``) or departed (its bookings are frozen), or
        scheduled again. Returns the new version."""
        return self._change(
            Change(
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
            Change(
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
        delays: Mapping[str, int] | None = None,
    ) -> CommitResult:
        """Turn a plan's assignments into confirmed bookings, as ONE transaction.

        ``shipments`` gives each assignment's shipment (by ``shipment_id``: type, mass, dates,
        customer). The plan must have been made on ledger version ``base_version``: if the
        ledger has moved on, :class:`StaleVersion` and nothing is written. Inside the
        transaction every train and border day is checked again (:class:`Refused` if one would
        be over its limit). A re-plan moves bookings in the same transaction: ``release``
        cancels bookings first, ``cancel_departures`` then cancels trains (which must be empty
        by then), ``quotas`` sets border quotas, ``delays`` (departure id -> days) moves trains
        to a later date, and their border crossings with them. A booking's price is ``prices[(shipment,
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
            Change(
                kind="commit",
                who=who,
                base_version=base_version,
                requests=reqs,
                release=list(release),
                states=dict.fromkeys(cancel_departures, "cancelled"),
                quotas=dict(quotas or {}),
                delays=dict(delays or {}),
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

    # ------------------------------------------------------------------ export and check

    def export(self, folder: str | Path, net: Network | None = None, *, xlsx: bool = True) -> Plan:
        """Write the confirmed state as a plan folder (``routing.io.write_plan``: the folder
        rule of ``--out`` applies) and return the :class:`Plan`; costs are recomputed on
        ``net`` (default: the bundled network)."""
        from railplan.ledger.export import export_plan  # imports routing.api: only here

        plan = self.plan(net)
        export_plan(plan, folder, xlsx=xlsx)
        return plan

    def plan(self, net: Network | None = None) -> Plan:
        """The confirmed state as a :class:`Plan` (what :meth:`export` writes), from one
        snapshot of the ledger."""
        from railplan.ledger.export import ledger_plan  # imports routing.api: only here

        v, bs, ds, xs = self._run(reads.confirmed_state, write=False)
        plan: Plan = ledger_plan(v, bs, ds, xs, net)
        return plan

    def check(self) -> list[str]:
        """Every invariant, one line per violation (empty: the ledger is sound): usage
        counters equal the sums of active bookings; no train over its TEU, tonnes or plugs; no
        active booking on a cancelled train; crossings equal the trains carrying bookings and
        are within their quotas; versions contiguous with their events; and replaying the
        event log gives exactly the departures, crossings and bookings tables; and the quote
        holds' invariants (:func:`railplan.ledger.holds.quote_problems`). Expired quote holds
        are released first, as by every capacity read."""
        self._sweep()
        return self._run(
            lambda c: check_snapshot(reads.snapshot(c)) + holds.quote_problems(c), write=False
        )

    # ------------------------------------------------------------------ the one write path

    def _change(self, ch: Change) -> CommitResult:
        """Apply ``ch`` in one write transaction, releasing the expired quote holds in it."""
        bad = static_problems(ch)
        if bad:
            raise Refused(bad)
        t = self.clock()
        return self._run(lambda c: holds.apply_with_expiry(c, ch, t), write=True)

    # ------------------------------------------------------------------ quote holds

    def _sweep(self) -> None:
        """Release the quote holds that have expired (one version, kind ``expire_holds``), so
        that the read that follows counts none of them. Losing the race to another writer is
        fine: that writer releases them."""
        t = self.clock()
        ids = self._run(lambda c: holds.expired_ids(c, t), write=False)
        if ids:
            with contextlib.suppress(Conflict, Refused):
                self._change(Change(kind="expire_holds", who="railplan (hold expiry)", release=ids))

    def quote_capacity(self) -> Capacity:
        """What every registered train has left, as :class:`routing.quote.Capacity` records
        (one snapshot, expired quote holds released first). Kept for the next call while the
        ledger's version stays the same (any write bumps it)."""
        with self._capacity_lock:
            t = self.clock()
            ids, v = self._run(lambda c: (holds.expired_ids(c, t), read_version(c)), write=False)
            if ids:
                self._sweep()
            elif self._capacity is not None and self._capacity.version == v:
                return self._capacity  # every change bumps the version: nothing moved since
            known = self._trains
            cap = self._run(lambda c: holds.capacity(c, self._shown_url(), known), write=False)
            self._capacity = cap
            return cap

    def hold_quote(
        self,
        request: BookingRequest,
        *,
        quote_id: str,
        details: Mapping[str, Any],
        option: Mapping[str, Any],
        who: str = "",
    ) -> holds.HeldQuote:
        """Hold ``request`` (``held=True`` with its ``hold_until``) for quote ``quote_id`` in
        one transaction: the held booking (refused, :class:`Refused`, if it no longer fits),
        its ``quote_id`` and the quote's row (``details``: what was asked; ``option``: what
        was offered)."""
        t = self.clock()
        return self._run(
            lambda c: holds.hold(
                c,
                request,
                quote_id=quote_id,
                request=dict(details),
                option=dict(option),
                now=t,
                who=who,
            ),
            write=True,
        )

    def accept_quote(self, quote_id: str, *, who: str = "") -> tuple[holds.HeldQuote, int]:
        """Turn the hold of ``quote_id`` into confirmed bookings; returns the quote and the
        new version. :class:`holds.UnknownQuote` for an id the ledger does not hold,
        :class:`holds.HoldLost` when the hold expired or its capacity went (nothing written)."""
        self._sweep()
        t = self.clock()
        return self._run(lambda c: holds.accept(c, quote_id, now=t, who=who), write=True)

    def held_quote(self, quote_id: str) -> holds.HeldQuote:
        """The quote ``quote_id`` as stored (:class:`holds.UnknownQuote` if none)."""
        return self._run(lambda c: holds.read_quote(c, quote_id), write=False)


__all__ = ["DEFAULT_URL", "Ledger", "default_url"]
