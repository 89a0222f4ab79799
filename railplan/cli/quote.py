"""``railplan quote``: the trains that can take a request, at what price and CO2e, against the
sea and air alternatives; ``--hold HOURS`` holds the best one in the ledger (``railplan ledger
accept QUOTE_ID`` confirms it).

Capacity comes from the ledger (``--db URL``, default ``$RAILPLAN_DB``, else
``sqlite:///railplan.db``) or from a plan folder (``--plan DIR``: its departures and what its
assignments use). No solver, map or chart is imported on this path. Exit codes: 0 (also when
no train takes the request: the text says why), 2 bad input (one ``error:`` line each), 3 the
ledger moved on while holding (try again).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from network import Network, UnknownPlaceError
from network.io import TableError
from railplan.cli.app import Finite, _date, _err, handle_errors, ledger_errors, load_net, main
from routing.domain.model import CONTAINER_TYPES, DEFAULT_CONTAINER_TYPE
from routing.quote import (
    SORTS,
    Capacity,
    Option,
    Quote,
    QuoteRequest,
    make_context,
    quote,
    quote_json,
)
from routing.quote.records import CrossingUse, TrainUse

#: the longest hold accepted, hours (30 days)
MAX_HOLD_HOURS = 720.0


def _place(net: Network, flag: str, name: str, problems: list[str]) -> str:
    try:
        return net.resolve(name)
    except UnknownPlaceError as e:
        hint = (
            f"; did you mean {' or '.join(repr(s) for s in e.suggestions)}?"
            if e.suggestions
            else ""
        )
        problems.append(f"{flag}: unknown place {name!r}{hint}")
        return name


def _countries(text: str, problems: list[str]) -> frozenset[str]:
    from routing.io.batch import ISO_COUNTRIES

    codes = frozenset(c.strip().upper() for c in text.replace(",", ";").split(";") if c.strip())
    unknown = sorted(codes - ISO_COUNTRIES)
    if unknown:
        problems.append(
            f"--avoid: {text!r}: expected ISO 3166 alpha-2 codes like RU;BY (unknown: {', '.join(unknown)})"
        )
    return codes


def build_request(net: Network, args: dict[str, Any]) -> QuoteRequest:
    """The request from the flags; every problem at once (:class:`TableError`)."""
    problems: list[str] = []
    origin = _place(net, "--origin", args["origin"], problems)
    destination = _place(net, "--destination", args["destination"], problems)
    avoid = _countries(args["avoid"] or "", problems)
    ct = CONTAINER_TYPES[args["ctype"]]
    gross = args["gross_t"]
    if gross is not None and gross > ct.max_gross_t:
        problems.append(
            f"--gross-t: {gross:g}: expected at most {ct.max_gross_t:g} t per {ct.code} container"
        )
    due, ready = args["due"], args["ready"]
    if due is not None and due < ready:
        problems.append(f"--due: {due}: expected a date on or after --ready {ready}")
    if problems:
        raise TableError(problems)
    return QuoteRequest(
        origin=origin,
        destination=destination,
        containers=args["containers"],
        container_type=ct.code,
        gross_t=gross,
        ready_date=ready,
        due_date=due,
        avoid_countries=avoid,
        dg_class=(args["dg"] or "").strip(),
        top=args["top"],
        sort=args["sort"],
    )


def plan_capacity(folder: str, net: Network) -> Capacity:
    """What the trains of a plan folder have left: its ``inputs/`` departures and quotas less
    what its ``assignments.csv`` loads (TEU, tonnes, reefer plugs by the shipments' types)."""
    from routing.io import read_border_quota, read_departures, read_shipments
    from routing.io.table import read_table

    d = Path(folder)
    need = [
        d / "assignments.csv",
        d / "inputs" / "departures.json",
        d / "inputs" / "shipments.json",
    ]
    missing = [f"{p}: file not found (not a plan folder?)" for p in need if not p.is_file()]
    if missing:
        raise TableError(missing)
    deps = read_departures(d / "inputs" / "departures.json", net)
    ships = {
        s.shipment_id: s
        for s in read_shipments(d / "inputs" / "shipments.json", net, origins_served=False)
    }
    quota: dict[str, int] = {}
    by_date: dict[tuple[str, dt.date], int] = {}
    if (d / "inputs" / "border_quota.json").is_file():
        quota, by_date = read_border_quota(d / "inputs" / "border_quota.json", net)
    used: dict[str, list[float]] = {}
    for _, r in read_table(d / "assignments.csv")[1]:
        u = used.setdefault(r["departure_id"], [0, 0.0, 0, 0])
        sh = ships.get(r["shipment_id"])
        u[0] += int(r["teu"])
        u[1] += float(r["gross_t"])
        u[2] += int(r["containers"]) if sh is not None and sh.reefer else 0
        u[3] += 1
    trains = tuple(
        TrainUse(
            departure=x,
            used_teu=int(used.get(x.departure_id, [0])[0]),
            used_gross_t=used.get(x.departure_id, [0, 0.0])[1],
            used_plugs=int(used.get(x.departure_id, [0, 0.0, 0])[2]),
            active_bookings=int(used.get(x.departure_id, [0, 0.0, 0, 0])[3]),
        )
        for x in deps
    )
    crossings: dict[tuple[str, dt.date], CrossingUse] = {}
    for t in trains:
        dep = t.departure
        if dep.border_port and t.active_bookings:
            key = (dep.border_port, dep.border_date)
            q = by_date.get(key, quota.get(dep.border_port))
            old = crossings.get(key)
            crossings[key] = CrossingUse(
                port=key[0], day=key[1], trains=(old.trains if old else 0) + 1, quota=q
            )
    for (port, day), q in by_date.items():
        crossings.setdefault((port, day), CrossingUse(port=port, day=day, trains=0, quota=q))
    return Capacity(
        trains=trains, crossings=crossings, quota=dict(quota), version=None, source=f"plan {folder}"
    )


def _option_lines(i: int, o: Option, teu: int) -> list[str]:
    border = f"{o.border_port} {o.border_date}" if o.border_port else "-"
    load = (
        "runs"
        if o.runs
        else (f"needs {o.teu_to_minimum} TEU more" if o.teu_to_minimum else "reaches its minimum")
    )
    return [
        f"{i:>2}  {o.departure_id:<22} {o.depart_date}  border {border:<24} arrive {o.arrival_date}  "
        f"{o.transit_days} days, {o.late_days} late",
        f"    {o.total_usd:,.0f} USD ({o.per_container_usd:,.0f} per container): freight {teu} TEU x "
        f"{o.rate_per_teu_usd:,.0f} ({o.rate_basis}) {o.freight_usd:,.0f}, first mile "
        f"{o.first_mile_usd:,.0f}, last mile {o.last_mile_usd:,.0f}",
        f"    CO2e {o.co2e_wtw_kg / 1000:,.2f} t WTW / {o.co2e_ttw_kg / 1000:,.2f} t TTW; "
        f"{o.left_teu_after} TEU left after; {load}",
    ]


def quote_text(q: Quote, explain: bool, held: dict[str, Any] | None) -> str:
    r = q.request
    due = f", due {r.due_date}" if r.due_date else ""
    where = f"ledger {q.source} version {q.version}" if q.version is not None else q.source
    lines = [
        f"quote: {r.containers} x {r.container_type} {r.origin} -> {r.destination}, ready "
        f"{r.ready_date}{due}: {q.eligible} train(s) take it ({where}; valid until "
        f"{q.valid_until:%Y-%m-%d %H:%M} UTC)"
    ]
    for i, o in enumerate(q.options, start=1):
        lines += _option_lines(i, o, r.teu)
    if q.note:
        lines.append(f"no option: {q.note}")
    if explain:
        lines.append(f"trains that do not take it ({len(q.refusals)}):")
        lines += [
            f"    {x.departure_id:<22} {x.depart_date}  {x.code}: {x.reason}" for x in q.refusals
        ]
    lines.append("alternatives (indicative; figures dated, see data/alternatives/README.md):")
    for a in q.alternatives:
        if not a.available:
            lines.append(f"    {a.mode:<4} none: {a.note}")
            continue
        co2 = (
            "no CO2e"
            if a.co2e_wtw_kg is None
            else (
                f"CO2e {a.co2e_wtw_kg / 1000:,.1f} t WTW / {(a.co2e_ttw_kg or 0) / 1000:,.1f} t TTW"
            )
        )
        lines.append(
            f"    {a.mode:<4} {' -> '.join(a.route)}: {a.days_low}-{a.days_high} days, "
            f"{a.cost_low_usd:,.0f}-{a.cost_high_usd:,.0f} USD, {co2} (as of {a.as_of})"
        )
    if held is not None:
        lines.append(
            f"held: quote {held['quote_id']} holds {held['containers']} containers on "
            f"{held['departure_id']} until {held['hold_until']} (ledger version "
            f"{held['version']}); confirm with: railplan ledger accept {held['quote_id']}"
        )
    return "\n".join(lines)


def _hold(db: str | None, q: Quote, hours: float, who: str) -> dict[str, Any]:
    from railplan.ledger import Ledger, default_url
    from railplan.ledger.quoting import hold_best

    with Ledger(db or default_url()) as led:
        held = hold_best(led, q, hours, who=who)
        held["version"] = led.version()
    return held


def _capacity(db: str | None, plan: str | None, net: Network) -> Capacity:
    if plan is not None:
        return plan_capacity(plan, net)
    from railplan.ledger import Ledger, default_url

    with Ledger(db or default_url()) as led:
        return led.quote_capacity()


@main.command("quote")
@click.option("--origin", required=True, help="Origin place: id, English or Chinese name.")
@click.option("--destination", required=True, help="Destination place.")
@click.option("--containers", type=click.IntRange(1, 100_000), required=True)
@click.option(
    "--type",
    "ctype",
    type=click.Choice(list(CONTAINER_TYPES), case_sensitive=False),
    default=DEFAULT_CONTAINER_TYPE,
    show_default=True,
)
@click.option(
    "--gross-t",
    type=Finite(0.0, 1000.0, low_open=True),
    help="Gross tonnes per container (default: the type's).",
)
@click.option("--ready", callback=_date, required=True, help="Ready date YYYY-MM-DD.")
@click.option("--due", callback=_date, help="Due date YYYY-MM-DD.")
@click.option("--avoid", default="", help="Countries to avoid, e.g. RU;BY.")
@click.option("--dg", default="", help="Dangerous goods class, if any.")
@click.option(
    "--db", metavar="URL", help="Ledger (default: $RAILPLAN_DB, else sqlite:///railplan.db)."
)
@click.option(
    "--plan",
    "plan_dir",
    type=click.Path(file_okay=False),
    help="Quote on a plan folder instead of the ledger.",
)
@click.option("--top", type=click.IntRange(1, 1000), default=5, show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="price", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the quote as JSON.")
@click.option("--explain", is_flag=True, help="List the trains that do not take it and why.")
@click.option(
    "--hold",
    type=Finite(0.0, MAX_HOLD_HOURS, low_open=True),
    metavar="HOURS",
    help="Hold the best option in the ledger for HOURS.",
)
@click.option(
    "--emission-factors",
    type=click.Path(),
    help="CO2e factor table replacing data/co2/factors.csv.",
)
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@click.option("--who", default="", help="Who holds (with --hold).")
@handle_errors
@ledger_errors
def quote_cmd(**args: Any) -> None:
    """Quote a request: the trains that take it, price, dates, CO2e; sea and air alongside."""
    from routing.io.factors import load_factors

    if args["plan_dir"] and (args["db"] or args["hold"]):
        raise click.UsageError("--plan quotes on a plan folder: it takes neither --db nor --hold")
    net = load_net(args["network_dir"])
    request = build_request(net, args)
    factors = load_factors(args["emission_factors"])
    cap = _capacity(args["db"], args["plan_dir"], net)
    hours = args["hold"]
    q = quote(request, cap, make_context(net, factors), **({"valid_hours": hours} if hours else {}))
    held = _hold(args["db"], q, hours, args["who"]) if hours and q.options else None
    if hours and not q.options:
        _err("nothing held: no train takes the request")
    if args["as_json"]:
        click.echo(json.dumps(quote_json(q, held), indent=1, ensure_ascii=False))
    else:
        click.echo(quote_text(q, args["explain"], held))
