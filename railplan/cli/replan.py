"""``railplan replan``: plan the ledger's confirmed bookings again after events (a cancelled
train, a closed border, a quota cut, a delay, a moved due date, a cancelled or added
shipment), at the least cost plus a move penalty per container that leaves its train."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

import network
from network.rows import parse_date
from railplan.cli.app import (
    _date,
    _err,
    command_deadline,
    common,
    handle_errors,
    ledger_errors,
    load_net,
    main,
    summary_text,
)
from railplan.cli.plan import FORCE_HELP, OUT_HELP, draw
from railplan.ledger import Ledger, default_url
from railplan.ledger.planning import lots, running
from railplan.ledger.replanning import commit_data, write_changes
from routing.api import ReplanResult, make_problem, replan
from routing.domain.replan import (
    DEFAULT_MOVE_PENALTY_PER_CONTAINER,
    LOT_SEPARATOR,
    AddShipments,
    CancelShipment,
    CancelTrain,
    ClosePort,
    DelayTrain,
    Event,
    MoveDue,
    SetQuota,
)
from routing.io import InputError, check_out, read_shipments, read_table, write_plan


def _day(text: str, where: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError as e:
        raise InputError([f"{where}: {text!r}: expected {e}"]) from e


def _int(text: str, where: str, low: int, high: int) -> int:
    if not re.fullmatch(r"-?\d{1,7}", text) or not low <= int(text) <= high:
        raise InputError([f"{where}: {text!r}: expected a whole number from {low} to {high}"])
    return int(text)


def parse_event(kind: str, value: str, net: network.Network) -> Event:
    """One event from its flag (``cancel-train``, ``close-port``, ...) and text."""
    where = f"--{kind} {value}"
    parts = value.split(":")
    if kind == "cancel-train":
        return CancelTrain(value)
    if kind == "cancel-shipment":
        return CancelShipment(value)
    if kind == "add":
        return AddShipments(tuple(read_shipments(value, net)))
    shape = {"close-port": 3, "quota": 3, "delay-train": 2, "due": 2}[kind]
    if len(parts) != shape:
        want = {"close-port": "PORT:FROM:TO", "quota": "PORT:DATE:N", "delay-train": "ID:DAYS"}
        raise InputError([f"{where}: expected {want.get(kind, 'SHIPMENT:DATE')}"])
    if kind == "delay-train":
        return DelayTrain(parts[0], _int(parts[1], where, -30, 365))
    if kind == "due":
        return MoveDue(parts[0], _day(parts[1], where))
    port = _port(parts[0], net, where)
    if kind == "quota":
        return SetQuota(port, _day(parts[1], where), _int(parts[2], where, 0, 1000))
    return ClosePort(port, _day(parts[1], where), _day(parts[2], where))


def _port(name: str, net: network.Network, where: str) -> str:
    try:
        return net.resolve(name)
    except network.UnknownPlaceError as e:
        raise InputError([f"{where}: {e}"]) from e


EVENT_KINDS = (
    "cancel-train",
    "close-port",
    "quota",
    "delay-train",
    "due",
    "cancel-shipment",
    "add",
)


def read_events(path: str, net: network.Network) -> list[Event]:
    """``--events FILE``: one event a row, columns ``event`` (a flag name without ``--``, e.g.
    ``cancel-train``) and ``value`` (its text, e.g. ``CZ-MOW-A-20261225``)."""
    _, rows = read_table(Path(path))
    events: list[Event] = []
    problems: list[str] = []
    for line, row in rows:
        kind, value = row.get("event", "").strip(), row.get("value", "").strip()
        if kind not in EVENT_KINDS:
            problems.append(
                f"{Path(path).name}: row {line}, column event: {kind!r}: expected one of "
                + ", ".join(EVENT_KINDS)
            )
            continue
        try:
            events.append(parse_event(kind, value, net))
        except InputError as e:
            problems += [f"{Path(path).name}: row {line}: {p}" for p in e.problems]
    if problems:
        raise InputError(problems)
    return events


def _penalties(text: str) -> list[float]:
    out = []
    for part in text.split(","):
        try:
            x = float(part)
        except ValueError:
            x = -1.0
        if not 0 <= x <= 1e7:
            raise InputError(
                [
                    f"--move-penalty {text!r}: expected USD per container from 0 to 1e7, comma-separated"
                ]
            )
        out.append(x)
    return out


@main.command("replan")
@click.option(
    "--db",
    metavar="URL",
    help="Ledger database (default: $RAILPLAN_DB, else sqlite:///railplan.db).",
)
@click.option("--out", default="out/replan", show_default=True, help=OUT_HELP)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.option("--commit", is_flag=True, help="Write the new version and its events to the ledger.")
@click.option(
    "--move-penalty",
    default=str(DEFAULT_MOVE_PENALTY_PER_CONTAINER),
    show_default=True,
    help="USD per container that leaves its train; several, comma-separated, print the trade-off.",
)
@click.option(
    "--now", callback=_date, help="Trains departed before DATE are frozen, and their bookings."
)
@click.option("--unpin-affected", is_flag=True, help="Let pinned bookings on a removed train move.")
@click.option("--cancel-train", multiple=True, metavar="ID")
@click.option("--close-port", multiple=True, metavar="PORT:FROM:TO")
@click.option("--quota", multiple=True, metavar="PORT:DATE:N")
@click.option("--delay-train", multiple=True, metavar="ID:DAYS")
@click.option("--due", multiple=True, metavar="SHIPMENT:DATE")
@click.option("--cancel-shipment", multiple=True, metavar="ID")
@click.option("--add", multiple=True, metavar="SHIPMENTS_FILE")
@click.option(
    "--events",
    "events_file",
    type=click.Path(dir_okay=False),
    help="Events as CSV or JSON: columns event, value.",
)
@click.option(
    "--scope",
    type=click.Choice(["shanxi", "national", "all"]),
    default="shanxi",
    show_default=True,
    help="Whose border quotas apply.",
)
@click.option("--no-maps", is_flag=True, help="Do not draw map.html and report.html.")
@click.option("--offline", is_flag=True, help="Maps make no outside request.")
@click.option("--who", default="", help="Who commits.")
@common
@handle_errors
@ledger_errors
def replan_cmd(
    db: str | None,
    out: str,
    force: bool,
    commit: bool,
    move_penalty: str,
    now: dt.date | None,
    unpin_affected: bool,
    cancel_train: Sequence[str],
    close_port: Sequence[str],
    quota: Sequence[str],
    delay_train: Sequence[str],
    due: Sequence[str],
    cancel_shipment: Sequence[str],
    add: Sequence[str],
    events_file: str | None,
    scope: str,
    no_maps: bool,
    offline: bool,
    who: str,
    network_dir: str | None,
    time_limit: float,
    work_limit: float | None,
    seed: int,
    quiet: bool,
    as_json: bool,
) -> None:
    """Plan the ledger's confirmed bookings again after EVENTS, moving as little as possible;
    write the plan folder with changes.csv (--commit: the new version into the ledger)."""
    # the first (or only) move penalty's budget; each other penalty gets one of its own
    deadline = command_deadline(time_limit)
    net = load_net(network_dir)
    flags = {
        "cancel-train": cancel_train,
        "close-port": close_port,
        "quota": quota,
        "delay-train": delay_train,
        "due": due,
        "cancel-shipment": cancel_shipment,
        "add": add,
    }
    events, penalties = _options(flags, events_file, move_penalty, out, force, commit, net)
    with Ledger(db or default_url()) as led:
        base = led.version()
        bookings = led.bookings("confirmed")
        trains = running(led.departures())
        crossings = {(x.port, x.day): x.quota for x in led.crossings() if x.quota is not None}
        results: list[tuple[float, Any, Any]] = []
        for pen in penalties:
            booked, ids = lots(bookings, move_penalty=pen)
            problem = make_problem(booked, net, trains, border_quota_by_date=crossings, scope=scope)
            if not quiet:
                _err(
                    f"re-planning {len(booked)} booked lots on {len(trains)} trains after "
                    f"{len(events)} event(s), move penalty {pen:g} USD/container (time limit "
                    f"{time_limit:g} s)"
                )
            res = replan(
                problem,
                events,
                net,
                now=now,
                unpin_affected=unpin_affected,
                time_limit=time_limit,
                seed=seed,
                deadline=deadline if not results else None,
                work_limit=work_limit,
            )
            results.append((pen, res, ids))
        _, res, ids = results[0]
        before: dict[str, float] = {}
        for b in bookings:
            before[b.shipment_id] = before.get(b.shipment_id, 0.0) + b.price_cents / 100
        _write(res, Path(out), before, net, draw_maps=not no_maps, offline=offline, force=force)
        _report([(p_, r_) for p_, r_, _ in results], Path(out), as_json)
        if commit:
            _commit(led, res, ids, events, base, who)


def _options(
    flags: dict[str, Sequence[str]],
    events_file: str | None,
    move_penalty: str,
    out: str,
    force: bool,
    commit: bool,
    net: network.Network,
) -> tuple[list[Event], list[float]]:
    """The events and penalties, every problem of every flag and file reported together."""
    problems: list[str] = []
    events: list[Event] = []
    for kind, values in flags.items():
        for v in values:
            try:
                events.append(parse_event(kind, v, net))
            except InputError as e:
                problems += e.problems
    penalties: list[float] = []
    try:
        if events_file:
            events += read_events(events_file, net)
        penalties = _penalties(move_penalty)
        check_out(out, inputs=[*flags["add"], *([events_file] if events_file else [])], force=force)
    except InputError as e:
        problems += e.problems
    if commit and len(penalties) > 1:
        problems.append(
            "--commit takes one --move-penalty (the trade-off is for looking, not booking)"
        )
    if problems:
        raise InputError(problems)
    return events, penalties


def _report(results: Sequence[tuple[float, ReplanResult]], out: Path, as_json: bool) -> None:
    """The trade-off table (several penalties), then the first re-plan's summary."""
    if len(results) > 1:
        click.echo("move penalty  objective  total cost  containers moved  shipments moved  gap %")
        for pen, r in results:
            click.echo(
                f"{pen:12,.0f}  {r.plan.objective:9,.0f}  {r.plan.total_cost:10,.0f}  "
                f"{r.containers_moved:16d}  {r.shipments_moved:15d}  {100 * r.plan.gap:5.3f}"
            )
    res = results[0][1]
    if as_json:
        click.echo(json.dumps(res.plan.summary, indent=2, ensure_ascii=False, default=str))
        return
    click.echo(summary_text(res.plan, out))
    click.echo(
        f"moved: {res.containers_moved} containers of {res.shipments_moved} shipments (changes.csv)"
    )


def _write(
    res: ReplanResult,
    out: Path,
    before: dict[str, float],
    net: network.Network,
    *,
    draw_maps: bool,
    offline: bool,
    force: bool,
) -> None:
    def extra(folder: Path) -> None:
        write_changes(folder / "changes.csv", res, before)
        if draw_maps:
            draw(res.plan, net, folder / "map.html", offline, None)

    write_plan(res.plan, out, extra=extra, force=force)


def _commit(
    led: Ledger,
    res: ReplanResult,
    ids: dict[str, list[str]],
    events: Sequence[Event],
    base: int,
    who: str,
) -> None:
    """The new version in one transaction (:func:`railplan.ledger.replanning.commit_data`):
    the bookings of every lot that changed are released and booked again where the plan puts
    them; removed trains are cancelled; quotas set; delayed trains moved."""
    new, ships, moves = commit_data(
        res.plan.assignments, res.plan.problem.shipments, ids, res.removed, events
    )
    r = led.commit_assignments(
        new,
        shipments=ships,
        base_version=base,
        who=who,
        objective=res.plan.objective,
        **moves.ledger_args(),
    )
    click.echo(
        f"committed: {len(moves.release)} bookings released, {len(r.booking_ids)} booked, "
        f"{len(moves.cancel_departures)} train(s) cancelled, {len(moves.delays)} delayed; "
        f"ledger version {r.version}"
    )


__all__ = [
    "EVENT_KINDS",
    "LOT_SEPARATOR",
    "parse_event",
    "read_events",
]
