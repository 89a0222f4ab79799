"""``railplan check`` and ``railplan map``: re-validate a plan folder, draw it again."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

import maps
from railplan.cli.app import DAYS, _date, _err, handle_errors, lang_option, load_net, main
from railplan.cli.plan import draw
from routing.api import make_problem, read_problem
from routing.domain.check import check
from routing.domain.model import DEFAULT_UNASSIGNED_PENALTY_PER_TEU
from routing.io import InputError, read_border_quota, read_departures, read_plan, read_shipments


@main.command("check")
@click.argument("plan_dir", type=click.Path())
@click.argument("shipments", type=click.Path())
@click.option("--departures", type=click.Path())
@click.option("--rates", type=click.Path())
@click.option("--border-quota", type=click.Path())
@click.option("--trucking", type=click.Path())
@click.option("--start", callback=_date)
@click.option("--days", type=DAYS)
@click.option("--scope", type=click.Choice(["shanxi", "national", "all"]), default="shanxi")
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@click.option("--emission-factors", type=click.Path(), help="The factor table the plan used.")
@handle_errors
def check_cmd(
    plan_dir: str,
    shipments: str,
    departures: str | None,
    rates: str | None,
    border_quota: str | None,
    trucking: str | None,
    start: dt.date | None,
    days: int | None,
    scope: str,
    network_dir: str | None,
    emission_factors: str | None,
) -> None:
    """Re-validate the plan in PLAN_DIR against its inputs; exit 1 when it violates one."""
    net = load_net(network_dir)
    summary_path = Path(plan_dir) / "summary.json"
    penalty = DEFAULT_UNASSIGNED_PENALTY_PER_TEU
    carbon_price = 0.0
    if summary_path.is_file():
        s = json.loads(summary_path.read_text(encoding="utf-8"))
        penalty = float(s.get("unassigned_penalty_per_teu", penalty))
        carbon_price = float(s.get("carbon_price_per_t", 0.0))
        inp = s.get("inputs", {})
        if "horizon_start" in inp and not departures and start is None:
            start = dt.date.fromisoformat(inp["horizon_start"])
            days = int(inp["horizon_days"])
            scope = inp.get("scope", scope)
    problem = read_problem(
        shipments,
        net,
        departures=departures,
        rates=rates,
        border_quota=border_quota,
        trucking=trucking,
        start=start,
        days=days,
        unassigned_penalty=penalty,
        scope=scope,
        emission_factors=emission_factors,
        carbon_price=carbon_price,
    )
    plan = read_plan(plan_dir, problem)
    errs = check(plan, problem)
    for e in errs:
        _err(f"violation: {e}")
    if errs:
        click.echo(f"plan {plan_dir}: {len(errs)} violation(s)")
        sys.exit(1)
    click.echo(
        f"plan {plan_dir}: OK ({len(plan.assignments)} assignments, {len(plan.unassigned)} unassigned, "
        f"{sum(t.runs for t in plan.trains)} trains; costs recomputed)"
    )


@main.command("map")
@click.argument("plan_dir", type=click.Path(file_okay=False))
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Map file (default PLAN_DIR/map.html)."
)
@click.option(
    "--offline",
    is_flag=True,
    help="No outside request: Leaflet inlined, no tiles, bundled outlines.",
)
@click.option("--tiles", help="Tile provider for online maps (default OpenStreetMap).")
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@lang_option
@handle_errors
def map_cmd(
    plan_dir: str,
    out: str | None,
    offline: bool,
    tiles: str | None,
    network_dir: str | None,
    lang: str,
) -> None:
    """Draw the map and the report of the plan in PLAN_DIR again (no solving), in --lang."""
    if tiles and not offline:
        try:
            maps.check_tiles(tiles)
        except ValueError as e:
            raise InputError([str(e)]) from e
    net = load_net(network_dir)
    inputs = Path(plan_dir) / "inputs"
    ships = read_shipments(inputs / "shipments.json", net, origins_served=False)
    deps = read_departures(inputs / "departures.json", net)
    quota, by_date = read_border_quota(inputs / "border_quota.json", net)
    problem = make_problem(ships, net, deps, border_quota=quota, border_quota_by_date=by_date)
    plan = read_plan(plan_dir, problem)
    map_file = Path(out) if out else Path(plan_dir) / "map.html"
    report = draw(plan, net, map_file, offline, tiles, lang)
    click.echo(f"map written to {map_file}, report to {report}")
