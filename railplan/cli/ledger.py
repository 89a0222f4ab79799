"""``railplan ledger ...``: the booking ledger (see :mod:`railplan.ledger`).

Every command takes ``--db URL`` (default ``$RAILPLAN_DB``, else ``sqlite:///railplan.db`` in
the current folder). Exit codes: 0 success; 1 internal error, or for ``check`` a violated
invariant; 2 bad input or a change that does not fit (one ``error:`` line per problem,
nothing written); 3 a stale ledger version or a lost race (``error:`` line, nothing written;
try again on the current ledger).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import click

from railplan.cli.app import (
    DAYS,
    EXIT_HOLD_LOST,
    _date,
    _err,
    handle_errors,
    ledger_errors,
    load_net,
    main,
)
from railplan.ledger import (
    BookingRequest,
    Ledger,
    default_url,
)
from routing.api import make_problem
from routing.domain.model import CONTAINER_TYPES, DEFAULT_CONTAINER_TYPE, Shipment
from routing.domain.options import build_options
from routing.io import InputError, read_border_quota, read_departures

_db = click.option(
    "--db",
    "db",
    metavar="URL",
    help="Ledger database (default: $RAILPLAN_DB, else sqlite:///railplan.db).",
)
_who = click.option("--who", default="", help="Who makes the change (default: $USER).")
_expect = click.option(
    "--expect-version",
    type=click.IntRange(0),
    help="Refuse (exit 3) unless the ledger is at this version.",
)


def _open(db: str | None) -> Ledger:
    return Ledger(db or default_url())


@main.group("ledger")
def ledger_group() -> None:
    """The booking ledger: what has been promised, train by train."""


@ledger_group.command("init")
@_db
@handle_errors
@ledger_errors
def init_cmd(db: str | None) -> None:
    """Create the ledger, or migrate it to the current schema (idempotent)."""
    with _open(db) as led:
        before, after = led.init()
        what = (
            "created"
            if before is None
            else ("already current" if before == after else f"migrated from {before}")
        )
        click.echo(f"ledger {led.url}: schema {after} ({what}), version {led.version()}")


@ledger_group.command("register")
@_db
@click.option("--departures", type=click.Path(dir_okay=False), help="departures.csv to register.")
@click.option("--start", callback=_date, help="Timetable start (without --departures).")
@click.option("--days", type=DAYS, default=14, show_default=True)
@click.option("--scope", type=click.Choice(["shanxi", "national", "all"]), default="shanxi")
@click.option("--border-quota", type=click.Path(dir_okay=False), help="border_quota.csv.")
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@_who
@handle_errors
@ledger_errors
def register_cmd(
    db: str | None,
    departures: str | None,
    start: dt.date | None,
    days: int,
    scope: str,
    border_quota: str | None,
    network_dir: str | None,
    who: str,
) -> None:
    """Register dated trains (a departures file, or the network's timetable) and their border
    quotas; trains registered before are kept."""
    net = load_net(network_dir)
    if departures is None and start is None:
        raise InputError(["expected --departures FILE or --start DATE (the timetable window)"])
    deps = (
        read_departures(departures, net) if departures else net.departures(start, days, scope=scope)  # type: ignore[arg-type]
    )
    quota = net.border_quota("shanxi" if scope == "shanxi" else "national")
    by_date: dict[tuple[str, dt.date], int] = {}
    if border_quota:
        q, by_date = read_border_quota(border_quota, net)
        quota.update(q)
    with _open(db) as led:
        v0 = led.version()
        v = led.register_departures(deps, quota=quota, quota_by_date=by_date, who=who)
        n = len(led.departures())
        click.echo(
            f"{len(deps)} departures given, {n} registered; ledger version {v}"
            + (" (unchanged)" if v == v0 else "")
        )


@ledger_group.command("status")
@_db
@click.option("--at", callback=_date, help="The ledger as it stood at the end of DATE (UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--all", "show_all", is_flag=True, help="List empty trains too.")
@handle_errors
@ledger_errors
def status_cmd(db: str | None, at: dt.date | None, as_json: bool, show_all: bool) -> None:
    """Capacity sold and left per train, crossings per border port and day."""
    with _open(db) as led:
        st = led.status(at=at)
    if as_json:
        click.echo(json.dumps(st.as_json(), indent=2, ensure_ascii=False))
        return
    when = f" at the end of {at}" if at else ""
    counts = ", ".join(f"{n} {k}" for k, n in st.bookings.items()) or "no bookings"
    click.echo(f"ledger version {st.version}{when}: {counts}")
    trains = [u for u in st.trains if show_all or u.bookings]
    click.echo(
        f"trains: {len(trains)} of {len(st.trains)} shown"
        + ("" if show_all else " (with bookings; --all for every train)")
    )
    if trains:
        click.echo(
            f"  {'departure':28s} {'state':9s} {'sold':>5s} {'held':>5s} {'left':>5s} {'cap':>5s} "
            f"{'tonnes':>9s} {'plugs':>7s}"
        )
    for u in trains:
        t = f"{u.gross_kg / 1000:,.1f}"
        plugs = f"{u.plugs}/{u.reefer_plugs}"
        click.echo(
            f"  {u.departure_id:28s} {u.state:9s} {u.confirmed_teu:5d} {u.held_teu:5d} "
            f"{u.capacity_teu - u.teu:5d} {u.capacity_teu:5d} {t:>9s} {plugs:>7s}"
        )
    used = [x for x in st.crossings if show_all or x.trains]
    click.echo(f"crossings: {len(used)} port-days with trains")
    for x in used:
        q = "no quota" if x.quota is None else f"quota {x.quota}, {x.left} left"
        click.echo(f"  {x.port:14s} {x.day}  {x.trains} train(s), {q}")


@ledger_group.command("book")
@_db
@click.option("--shipment", required=True, help="Shipment id.")
@click.option("--departure", required=True, help="Departure id (registered in the ledger).")
@click.option("--containers", type=click.IntRange(1, 100_000), required=True)
@click.option(
    "--type",
    "container_type",
    type=click.Choice(list(CONTAINER_TYPES)),
    default=DEFAULT_CONTAINER_TYPE,
    show_default=True,
)
@click.option(
    "--gross-t", type=click.FloatRange(0, 40, min_open=True), help="Tonnes per container."
)
@click.option("--origin", help="Origin place (default: the train's origin).")
@click.option("--destination", help="Destination place (default: the train's destination).")
@click.option("--ready", callback=_date, help="Ready date (default: the departure date).")
@click.option("--due", callback=_date, help="Due date.")
@click.option("--customer", default="")
@click.option("--dg-class", default="", help="Dangerous goods class, if any.")
@click.option("--avoid", default="", help="Countries to avoid, e.g. RU;BY.")
@click.option("--pin", is_flag=True, help="A pinned booking never moves on re-planning.")
@click.option("--hold-until", callback=_date, help="Hold (not confirm) until this date.")
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@_expect
@_who
@handle_errors
@ledger_errors
def book_cmd(
    db: str | None,
    shipment: str,
    departure: str,
    containers: int,
    container_type: str,
    gross_t: float | None,
    origin: str | None,
    destination: str | None,
    ready: dt.date | None,
    due: dt.date | None,
    customer: str,
    dg_class: str,
    avoid: str,
    pin: bool,
    hold_until: dt.date | None,
    network_dir: str | None,
    expect_version: int | None,
    who: str,
) -> None:
    """Book containers on one train by hand (refused with the reason if they do not fit)."""
    net = load_net(network_dir)
    with _open(db) as led:
        recs = {r.departure_id: r for r in led.departures()}
        rec = recs.get(departure)
        if rec is None:
            raise InputError([f"--departure {departure!r}: not a train registered in the ledger"])
        d = rec.departure
        ct = CONTAINER_TYPES[container_type]
        problems = []
        try:
            o = net.resolve(origin) if origin else d.origin
            de = net.resolve(destination) if destination else d.destination
        except Exception as e:  # an unknown place: the network's own message
            raise InputError([f"{e}"]) from e
        g = ct.default_gross_t if gross_t is None else gross_t
        if g > ct.max_gross_t:
            problems.append(f"--gross-t {g:g}: expected at most {ct.max_gross_t:g} t per {ct.code}")
        countries = frozenset(
            c.strip().upper() for c in avoid.replace(",", ";").split(";") if c.strip()
        )
        rd = ready or d.depart_date
        if due is not None and due < rd:
            problems.append(f"--due {due}: expected a date on or after the ready date {rd}")
        if problems:
            raise InputError(problems)
        sh = Shipment(
            shipment_id=shipment,
            origin=o,
            destination=de,
            containers=containers,
            container_type=container_type,
            gross_t=g,
            ready_date=rd,
            due_date=due,
            avoid_countries=countries,
            dg_class=dg_class,
            customer=customer,
        )
        _eligible(sh, d, net)
        hold = (
            None
            if hold_until is None
            else dt.datetime.combine(hold_until + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
        b = led.book(
            BookingRequest.from_shipment(
                sh, departure, containers, pinned=pin, held=hold is not None, hold_until=hold
            ),
            who=who,
            base_version=expect_version,
        )
        left = led.used_capacity().trains[departure]
        click.echo(
            f"{b.state} {b.booking_id}: {b.containers} x {b.container_type} of {b.shipment_id} on "
            f"{b.departure_id} ({b.teu} TEU, {b.price_cents / 100:,.2f} USD); "
            f"{left.capacity_teu - left.teu} of {left.capacity_teu} TEU left; "
            f"ledger version {b.created_version}"
        )


def _eligible(sh: Shipment, d: Any, net: Any) -> None:
    """The train can carry the shipment on this network (places through truck legs, dates,
    countries, reefer, dangerous goods), else an input error with the planner's reason."""
    problem = make_problem([sh], net, [d])
    opts = build_options(problem)
    if not opts.by_shipment[0]:
        why = opts.reasons.get(0, "no option")
        raise InputError([f"booking {sh.shipment_id} on {d.departure_id} refused: {why}"])


@ledger_group.command("cancel")
@_db
@click.argument("booking_id")
@_expect
@_who
@handle_errors
@ledger_errors
def cancel_cmd(db: str | None, booking_id: str, expect_version: int | None, who: str) -> None:
    """Cancel one booking by hand: its capacity is free again."""
    with _open(db) as led:
        b = led.cancel(booking_id, who=who, base_version=expect_version)
        click.echo(
            f"cancelled {b.booking_id}: {b.containers} x {b.container_type} of {b.shipment_id} on "
            f"{b.departure_id}; ledger version {b.updated_version}"
        )


@ledger_group.command("accept")
@_db
@click.argument("quote_id")
@_who
@handle_errors
@ledger_errors
def accept_cmd(db: str | None, quote_id: str, who: str) -> None:
    """Turn the hold of a quote (railplan quote --hold) into confirmed bookings; exit 4 when
    the hold expired or its capacity went meanwhile, 2 for an unknown quote id."""
    from railplan.ledger.holds import HoldLost

    with _open(db) as led:
        try:
            q, version = led.accept_quote(quote_id, who=who)
        except HoldLost as e:
            for p in e.problems:
                _err(f"error: {p}")
            sys.exit(EXIT_HOLD_LOST)
    click.echo(
        f"accepted quote {q.quote_id}: {q.containers} containers on {q.departure_id} confirmed "
        f"(bookings {', '.join(q.booking_ids)}, {q.price_cents / 100:,.2f} USD); ledger "
        f"version {version}"
    )


@ledger_group.command("export")
@_db
@click.option("--out", required=True, type=click.Path(), help="The plan folder to write.")
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@handle_errors
@ledger_errors
def export_cmd(db: str | None, out: str, network_dir: str | None) -> None:
    """Write the confirmed state as a plan folder (railplan check and railplan map read it)."""
    net = load_net(network_dir)
    with _open(db) as led:
        plan = led.export(out, net)
    s = plan.summary
    click.echo(
        f"ledger version {s.get('ledger_version')}: {s['containers_assigned']} containers "
        f"({s['teu_assigned']} TEU) on {s['trains_run']} trains, total cost "
        f"{plan.total_cost:,.2f} USD; plan written to {out}/"
    )


@ledger_group.command("check")
@_db
@handle_errors
@ledger_errors
def check_cmd(db: str | None) -> None:
    """Verify every invariant of the ledger; exit 1 on any violation."""
    with _open(db) as led:
        errs = led.check()
        v = led.version()
    for e in errs:
        _err(f"violation: {e}")
    if errs:
        click.echo(f"ledger version {v}: {len(errs)} violation(s)")
        sys.exit(1)
    click.echo(f"ledger version {v}: OK (capacity, tonnes, plugs, quotas, conservation, event log)")
