"""``railplan plan`` and ``railplan demo``: plan a batch, write the plan folder, draw its map."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

import maps
import network
from network.resources import data_path
from railplan.cli.app import (
    Progress,
    _date,
    _err,
    common,
    handle_errors,
    load_net,
    main,
    summary_text,
)
from routing.api import read_problem, solve_problem
from routing.domain.model import DEFAULT_UNASSIGNED_PENALTY_PER_TEU, Problem
from routing.domain.plan import Plan
from routing.io import write_plan

SAMPLE = data_path("samples", "shipments.csv")


def draw(
    plan: Plan, net: network.Network, map_file: Path, offline: bool, tiles: str | None
) -> Path:
    """Draw the plan's map and, beside it, its report (the maps package sits above routing:
    imported here, in the application layer, only). Returns the report's path."""

    maps.save(maps.plan_map(plan, net, offline=offline, tiles=tiles), map_file, offline=offline)
    report = map_file.with_name("report.html")
    maps.write_report(plan, net, report, offline=offline, tiles=tiles)
    return report


def run_plan(
    problem: Problem,
    net: network.Network,
    out: Path,
    *,
    time_limit: float,
    seed: int,
    quiet: bool,
    as_json: bool,
    draw_maps: bool = True,
    offline: bool = False,
    tiles: str | None = None,
) -> Plan:
    if not quiet:
        _err(
            f"planning {len(problem.shipments)} shipments on {len(problem.departures)} departures "
            f"(time limit {time_limit:g} s)"
        )
    plan = solve_problem(problem, time_limit=time_limit, seed=seed, progress=Progress(quiet))
    write_plan(plan, out)
    if draw_maps:
        draw(plan, net, out / "map.html", offline, tiles)
    if as_json:
        click.echo(json.dumps(plan.summary, indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(summary_text(plan, out))
    return plan


@main.command()
@common
@click.option("--out", type=click.Path(file_okay=False), default="out/demo", show_default=True)
@click.option("--offline", is_flag=True, help="Maps make no outside request.")
@handle_errors
def demo(
    network_dir: str | None,
    time_limit: float,
    seed: int,
    quiet: bool,
    as_json: bool,
    out: str,
    offline: bool,
) -> None:
    """Plan the bundled sample batch on the bundled network."""
    net = load_net(network_dir)
    problem = read_problem(str(SAMPLE), net)
    run_plan(
        problem,
        net,
        Path(out),
        time_limit=time_limit,
        seed=seed,
        quiet=quiet,
        as_json=as_json,
        offline=offline,
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
@click.option("--days", type=click.IntRange(min=1), help="Days of timetable.")
@click.option(
    "--scope", type=click.Choice(["shanxi", "national", "all"]), default="shanxi", show_default=True
)
@click.option(
    "--unassigned-penalty",
    type=click.FloatRange(min=0),
    default=DEFAULT_UNASSIGNED_PENALTY_PER_TEU,
    show_default=True,
    help="USD per TEU left unassigned.",
)
@click.option("--out", type=click.Path(file_okay=False), default="out/plan", show_default=True)
@click.option("--no-maps", is_flag=True, help="Do not draw map.html and report.html.")
@click.option("--offline", is_flag=True, help="Maps make no outside request.")
@click.option("--tiles", help="Tile provider for online maps (default OpenStreetMap).")
@common
@handle_errors
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
    out: str,
    no_maps: bool,
    offline: bool,
    tiles: str | None,
    network_dir: str | None,
    time_limit: float,
    seed: int,
    quiet: bool,
    as_json: bool,
) -> None:
    """Plan a batch of SHIPMENTS (CSV, XLSX or JSON) and write the plan to --out."""
    net = load_net(network_dir)
    problem = read_problem(
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
    )
    run_plan(
        problem,
        net,
        Path(out),
        time_limit=time_limit,
        seed=seed,
        quiet=quiet,
        as_json=as_json,
        draw_maps=not no_maps,
        offline=offline,
        tiles=tiles,
    )
