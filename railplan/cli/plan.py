"""``railplan plan`` and ``railplan demo``: plan a batch, write the plan folder, draw its map."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import click

import maps
import network
from network.resources import data_path
from railplan.cli.app import (
    DAYS,
    PENALTY,
    Finite,
    Progress,
    _date,
    _err,
    command_deadline,
    common,
    handle_errors,
    lang_option,
    ledger_errors,
    load_net,
    main,
    summary_text,
)
from railplan.ledger import Ledger, default_url
from railplan.ledger.planning import lots, running, with_bookings
from routing.api import MAX_CARBON_PRICE_PER_T, read_problem, solve_problem
from routing.domain.model import DEFAULT_UNASSIGNED_PENALTY_PER_TEU, Problem, Shipment
from routing.domain.plan import Plan
from routing.io import InputError, check_out, write_plan
from routing.optimise import Deadline

SAMPLE = data_path("samples", "shipments.csv")


def draw(
    plan: Plan,
    net: network.Network,
    map_file: Path,
    offline: bool,
    tiles: str | None,
    lang: str = "en",
) -> Path:
    """Draw the plan's map and, beside it, its report (``report.html`` beside ``map.html``,
    else ``NAME.report.html`` beside ``NAME.html``), in ``lang``. Returns the report's path."""
    m = maps.plan_map(plan, net, offline=offline, tiles=tiles, lang=lang)
    maps.save(m, map_file, offline=offline)
    if map_file.name == "map.html":
        report = map_file.with_name("report.html")
    else:
        report = map_file.with_suffix(".report.html")
    maps.write_report(plan, net, report, offline=offline, tiles=tiles, lang=lang)
    return report


def place_names(net: network.Network, lang: str) -> dict[str, str]:
    """Node id -> its name in ``lang`` for ``plan.xlsx`` (Chinese only: English keeps ids)."""
    if lang != "zh":
        return {}
    return {i: n.name_zh or n.name_en for i, n in net.nodes.items()}


def prepare(
    read: Callable[[], Problem],
    out: str,
    inputs: Sequence[str | None],
    *,
    tiles: str | None,
    force: bool,
) -> Problem:
    """Everything a plan command checks before it solves, all problems reported together: the
    output folder's rule (:func:`routing.io.check_out`), the tile provider, every input file."""
    problems: list[str] = []
    try:
        check_out(out, inputs=[f for f in inputs if f], force=force)
    except InputError as e:
        problems += e.problems
    try:
        maps.check_tiles(tiles)
    except ValueError as e:
        problems.append(str(e))
    problem = None
    try:
        problem = read()
    except InputError as e:
        problems += e.problems
    if problems or problem is None:
        raise InputError(problems)
    return problem


def run_plan(
    problem: Problem,
    net: network.Network,
    out: Path,
    *,
    time_limit: float,
    seed: int,
    quiet: bool,
    as_json: bool,
    work_limit: float | None = None,
    deadline: Deadline | None = None,
    draw_maps: bool = True,
    offline: bool = False,
    tiles: str | None = None,
    force: bool = False,
    lang: str = "en",
) -> Plan:
    """Solve, then write the plan folder with its map and report in one swap; ``plan.xlsx``,
    the map and the report in ``lang``."""
    if not quiet:
        limit = f"work limit {work_limit:g}" if work_limit else f"time limit {time_limit:g} s"
        _err(
            f"planning {len(problem.shipments)} shipments on {len(problem.departures)} departures "
            f"({limit})"
        )
    with Progress(quiet, time_limit) as progress:
        plan = solve_problem(
            problem,
            time_limit=time_limit,
            seed=seed,
            progress=progress,
            deadline=deadline,
            work_limit=work_limit,
        )

    def maps_into(folder: Path) -> None:
        draw(plan, net, folder / "map.html", offline, tiles, lang)

    write_plan(
        plan,
        out,
        extra=maps_into if draw_maps else None,
        force=force,
        lang=lang,
        places=place_names(net, lang),
    )
    if as_json:
        click.echo(json.dumps(plan.summary, indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(summary_text(plan, out))
    return plan


OUT_HELP = (
    "Plan folder: new, empty or an earlier plan (replaced whole); never the working "
    "directory or a folder holding an input."
)
FORCE_HELP = "Write the plan's files into a folder that holds other files (only same-named ones are replaced)."


@main.command()
@common
@click.option("--out", default="out/demo", show_default=True, help=OUT_HELP)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.option("--offline", is_flag=True, help="Maps make no outside request.")
@lang_option
@handle_errors
def demo(
    network_dir: str | None,
    time_limit: float,
    work_limit: float | None,
    seed: int,
    quiet: bool,
    as_json: bool,
    out: str,
    force: bool,
    offline: bool,
    lang: str,
) -> None:
    """Plan the bundled sample batch on the bundled network."""
    deadline = command_deadline(time_limit)
    net = load_net(network_dir)
    problem = prepare(lambda: read_problem(str(SAMPLE), net), out, [], tiles=None, force=force)
    run_plan(
        problem,
        net,
        Path(out),
        time_limit=time_limit,
        work_limit=work_limit,
        deadline=deadline,
        seed=seed,
        quiet=quiet,
        as_json=as_json,
        offline=offline,
        force=force,
        lang=lang,
    )


@main.command("plan")
@click.argument("shipments", type=click.Path())
@click.option(
    "--departures", type=click.Path(), help="departures.csv (default: bundled timetable)."
)
@click.option(
    "--rates", type=click.Path(), help="rates.csv: contract rates per shipment and departure."
)
@click.option(
    "--border-quota", type=click.Path(), help="border_quota.csv: trains per day per port."
)
@click.option(
    "--trucking", type=click.Path(), help="trucking.csv: replaces the network's truck links."
)
@click.option("--start", callback=_date, help="First day of the timetable (YYYY-MM-DD).")
@click.option("--days", type=DAYS, help="Days of timetable.")
@click.option(
    "--scope", type=click.Choice(["shanxi", "national", "all"]), default="shanxi", show_default=True
)
@click.option(
    "--unassigned-penalty",
    type=PENALTY,
    default=DEFAULT_UNASSIGNED_PENALTY_PER_TEU,
    show_default=True,
    help="USD per TEU left unassigned.",
)
@click.option(
    "--emission-factors",
    type=click.Path(),
    help="CO2e factor table replacing data/co2/factors.csv (same columns).",
)
@click.option(
    "--carbon-price",
    type=Finite(0.0, MAX_CARBON_PRICE_PER_T),
    default=0.0,
    show_default=True,
    help="USD per tonne of WTW CO2e added to each option's cost (0: none).",
)
@click.option("--out", default="out/plan", show_default=True, help=OUT_HELP)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.option("--no-maps", is_flag=True, help="Do not draw map.html and report.html.")
@click.option("--offline", is_flag=True, help="Maps make no outside request.")
@click.option("--tiles", help="Tile provider for online maps (default OpenStreetMap).")
@click.option(
    "--db",
    metavar="URL",
    help="Plan on what the ledger has left (default with --commit: $RAILPLAN_DB, else "
    "sqlite:///railplan.db).",
)
@click.option("--commit", is_flag=True, help="Book the plan's assignments in the ledger.")
@click.option("--who", default="", help="Who commits (recorded in the ledger).")
@common
@lang_option
@handle_errors
@ledger_errors
def plan_cmd(
    shipments: str,
    departures: str | None,
    rates: str | None,
    border_quota: str | None,
    trucking: str | None,
    start: dt.date | None,
    days: int | None,
    scope: str,
    unassigned_penalty: float,
    emission_factors: str | None,
    carbon_price: float,
    out: str,
    force: bool,
    no_maps: bool,
    offline: bool,
    tiles: str | None,
    db: str | None,
    commit: bool,
    who: str,
    network_dir: str | None,
    time_limit: float,
    work_limit: float | None,
    seed: int,
    quiet: bool,
    as_json: bool,
    lang: str,
) -> None:
    """Plan a batch of SHIPMENTS (CSV, XLSX or JSON) and write the plan to --out; with --db,
    on the capacity the ledger's confirmed bookings leave (--commit books it). --time-limit
    runs from reading the inputs to the plan written (the maps come after)."""
    deadline = command_deadline(time_limit)
    net = load_net(network_dir)
    problem = prepare(
        lambda: read_problem(
            shipments,
            net,
            departures=departures,
            rates=rates,
            border_quota=border_quota,
            trucking=trucking,
            start=start,
            days=days,
            unassigned_penalty=unassigned_penalty,
            scope=scope,
            emission_factors=emission_factors,
            carbon_price=carbon_price,
        ),
        out,
        [shipments, departures, rates, border_quota, trucking, emission_factors],
        tiles=None if offline or no_maps else tiles,
        force=force,
    )
    with contextlib.ExitStack() as stack:
        led = stack.enter_context(Ledger(db or default_url())) if db or commit else None
        _plan_on(
            problem,
            led,
            commit=commit,
            who=who,
            run=lambda p: run_plan(
                p,
                net,
                Path(out),
                time_limit=time_limit,
                work_limit=work_limit,
                deadline=deadline,
                seed=seed,
                quiet=quiet,
                as_json=as_json,
                draw_maps=not no_maps,
                offline=offline,
                tiles=tiles,
                force=force,
                lang=lang,
            ),
            as_json=as_json,
        )


def _plan_on(
    problem: Problem,
    led: Ledger | None,
    *,
    commit: bool,
    who: str,
    run: Callable[[Problem], Plan],
    as_json: bool,
) -> None:
    """Plan ``problem`` alone, or on what the ledger's confirmed bookings leave (they join it
    pinned); with ``commit``, book the new assignments on the version the plan was made on."""
    base = 0
    booked: list[Shipment] = []
    if led is not None:
        led.register_departures(
            problem.departures, quota=problem.quota, quota_by_date=problem.quota_by_date, who=who
        )  # the trains in use join the ledger on first use
        base = led.version()
        booked, _ = lots(led.bookings("confirmed"), move_penalty=0.0, pin_all=True)
        problem = with_bookings(problem, booked, running(led.departures()))
    plan = run(problem)
    if led is not None and commit:
        lot_ids = {s.shipment_id for s in booked}
        new = [a for a in plan.assignments if a.shipment_id not in lot_ids]
        res = led.commit_assignments(
            new,
            shipments=problem.shipments,
            base_version=base,
            who=who,
            inputs_hash=problem.inputs.get("sha256"),
            objective=plan.objective,
        )
        click.echo(
            f"committed: {len(res.booking_ids)} bookings, ledger version {res.version}", err=as_json
        )
