"""The ``railplan`` command. It owns output, progress and exit codes:
0 success (even with unassigned shipments), 2 bad input, 1 internal error."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

import network
from network import NetworkError
from routing.api import make_problem, solve_problem
from routing.check import check
from routing.generate import SCALES
from routing.generate import generate as generate_batch
from routing.io import (
    InputError,
    file_digest,
    read_border_quota,
    read_departures,
    read_plan,
    read_rates,
    read_shipments,
    read_trucking,
    write_batch,
    write_departures,
)
from routing.model import DEFAULT_UNASSIGNED_PENALTY_PER_TEU, Problem
from routing.plan import Plan

F = TypeVar("F", bound=Callable[..., Any])
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "shipments.csv"


def _err(msg: str) -> None:
    click.echo(msg, err=True)


def handle_errors(fn: F) -> F:
    """Bad input: one line per problem and exit 2; anything else: exit 1, no traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (InputError, NetworkError) as e:
            for p in e.problems:
                _err(f"error: {p}")
            sys.exit(2)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as e:  # pragma: no cover - the last line of defence
            _err(f"internal error: {type(e).__name__}: {e}")
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _date(_ctx: Any, _param: Any, v: str | None) -> dt.date | None:
    if v is None:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError as e:
        raise click.BadParameter(f"{v!r}: expected a date YYYY-MM-DD") from e


def _load_net(path: str | None) -> network.Network:
    return network.load(path)


def build_problem(
    shipments: str,
    net: network.Network,
    *,
    departures: str | None = None,
    rates: str | None = None,
    border_quota: str | None = None,
    trucking: str | None = None,
    start: dt.date | None = None,
    days: int | None = None,
    unassigned_penalty: float = DEFAULT_UNASSIGNED_PENALTY_PER_TEU,
    scope: str = "shanxi",
) -> Problem:
    """Read every input file (all problems of all files reported together)."""
    problems: list[str] = []
    legs = None
    if trucking:
        try:
            legs = read_trucking(trucking, net)
        except InputError as e:
            problems += e.problems
    ships = deps = None
    try:
        ships = read_shipments(shipments, net, legs)
    except InputError as e:
        problems += e.problems
    if departures:
        try:
            deps = read_departures(departures, net)
        except InputError as e:
            problems += e.problems
    quota: dict[str, int] = {}
    by_date: dict[tuple[str, dt.date], int] = {}
    if border_quota:
        try:
            quota, by_date = read_border_quota(border_quota, net)
        except InputError as e:
            problems += e.problems
    if problems:
        raise InputError(problems)
    assert ships is not None
    files = [Path(p) for p in (shipments, departures, rates, border_quota, trucking) if p]
    inputs = {"files": ", ".join(p.name for p in files), "sha256": file_digest(files)}
    problem = make_problem(
        ships,
        net,
        deps,
        border_quota=quota,
        border_quota_by_date=by_date,
        trucking=legs,
        start=start,
        days=days,
        scope=scope,
        unassigned_penalty=unassigned_penalty,
        inputs=inputs,
    )
    if rates:
        rate_map = read_rates(
            rates,
            {s.shipment_id for s in problem.shipments},
            {d.departure_id for d in problem.departures},
        )
        problem = dataclasses.replace(problem, rates=rate_map)
    return problem


class _Progress:
    """Elapsed, best cost, bound and gap on stderr, one line per improvement."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, elapsed: float, best: float, bound: float) -> None:
        if self.quiet:
            return
        gap = (best - bound) / max(abs(best), 1e-9)
        _err(
            f"  {elapsed:7.1f} s   best {best:,.0f} USD   bound {bound:,.0f}   gap {100 * gap:.2f} %"
        )


def _summary_text(plan: Plan, out: Path | None) -> str:
    s = plan.summary
    lines = [
        f"status {plan.status}: total cost {plan.total_cost:,.0f} USD, objective {plan.objective:,.0f}, "
        f"bound {plan.bound:,.0f}, gap {100 * plan.gap:.3f} %, solve {s['solve_seconds']:.1f} s",
        f"{s['containers_assigned']} containers ({s['teu_assigned']} TEU) on {s['trains_run']} of "
        f"{s['departures']} departures, mean utilization {100 * s['mean_utilization']:.1f} %, "
        f"on time {100 * s['on_time_share']:.1f} %",
        f"unassigned: {s['containers_unassigned']} containers ({s['teu_unassigned']} TEU) in "
        f"{len(plan.unassigned)} shipments; greedy baseline {s['greedy_total_cost']:,.0f} USD",
    ]
    if out is not None:
        lines.append(f"plan written to {out}/")
    return "\n".join(lines)


def _draw(
    plan: Plan, net: network.Network, map_file: Path, offline: bool, tiles: str | None
) -> Path:
    """Draw the plan's map and, beside it, its report (the maps package sits above routing:
    imported here, in the application layer, only). Returns the report's path."""
    import maps

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
    plan = solve_problem(problem, time_limit=time_limit, seed=seed, progress=_Progress(quiet))
    plan.write(out)
    if draw_maps:
        _draw(plan, net, out / "map.html", offline, tiles)
    if as_json:
        click.echo(json.dumps(plan.summary, indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(_summary_text(plan, out))
    return plan


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="railplan")
def main() -> None:
    """railplan: plan Shanxi's international container trains."""


_common = [
    click.option(
        "--network",
        "network_dir",
        type=click.Path(file_okay=False),
        help="Network folder (default: bundled).",
    ),
    click.option(
        "--time-limit",
        type=float,
        default=30.0,
        show_default=True,
        help="Solver time limit, seconds.",
    ),
    click.option("--seed", type=int, default=0, show_default=True),
    click.option("--quiet", is_flag=True, help="No progress on stderr."),
    click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
]


def common(fn: F) -> F:
    for opt in reversed(_common):
        fn = opt(fn)
    return fn


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
    net = _load_net(network_dir)
    problem = build_problem(str(SAMPLE), net)
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
    net = _load_net(network_dir)
    problem = build_problem(
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


@main.command("network")
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@click.option("--check", "do_check", is_flag=True, help="Validate the data; exit 2 on a problem.")
@click.option(
    "--map", "map_file", type=click.Path(dir_okay=False), help="Write the network map here."
)
@click.option("--offline", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def network_cmd(
    network_dir: str | None, do_check: bool, map_file: str | None, offline: bool, as_json: bool
) -> None:
    """Summarise (and validate) the network."""
    net = _load_net(network_dir)
    s = net.summary()
    if as_json:
        click.echo(json.dumps(s, indent=2, ensure_ascii=False))
    else:
        click.echo(f"network {s['source']}")
        click.echo(f"  nodes: {', '.join(f'{k} {v}' for k, v in s['nodes'].items())}")  # type: ignore[attr-defined]
        click.echo(f"  links: {s['links']}; services: {s['services']}")
        for port, q in s["border_ports"].items():  # type: ignore[attr-defined]
            n = net.nodes[port]
            click.echo(
                f"  border {port:14s} {n.name_zh:6s} gauge change {'yes' if n.gauge_change else 'no ':3s} "
                f"dwell {n.dwell_hours:5.1f} h  {q} trains/day"
            )
    if do_check:
        click.echo("network data: OK")
    if map_file:
        import maps

        maps.save(maps.network_map(net, offline=offline), Path(map_file), offline=offline)
        click.echo(f"map written to {map_file}")


@main.command()
@click.option("--start", callback=_date, required=True, help="First day (YYYY-MM-DD).")
@click.option("--days", type=click.IntRange(min=1), default=28, show_default=True)
@click.option(
    "--scope", type=click.Choice(["shanxi", "national", "all"]), default="shanxi", show_default=True
)
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), help="Write departures.csv here.")
@handle_errors
def timetable(
    start: dt.date, days: int, scope: str, network_dir: str | None, out: str | None
) -> None:
    """List the dated departures of the timetable."""
    net = _load_net(network_dir)
    deps = net.departures(start, days, scope=scope)
    if out:
        write_departures(Path(out), deps)
        click.echo(f"{len(deps)} departures written to {out}")
        return
    for d in deps:
        click.echo(
            f"{d.departure_id:22s} {d.depart_date}  {d.origin:>10s} -> {d.destination:<10s} via "
            f"{d.border_port or '-':11s} {d.transit_days:3d} d  {d.capacity_teu} TEU"
        )
    click.echo(f"{len(deps)} departures")


@main.command("check")
@click.argument("plan_dir", type=click.Path())
@click.argument("shipments", type=click.Path())
@click.option("--departures", type=click.Path())
@click.option("--rates", type=click.Path())
@click.option("--border-quota", type=click.Path())
@click.option("--trucking", type=click.Path())
@click.option("--start", callback=_date)
@click.option("--days", type=click.IntRange(min=1))
@click.option("--scope", type=click.Choice(["shanxi", "national", "all"]), default="shanxi")
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
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
) -> None:
    """Re-validate the plan in PLAN_DIR against its inputs; exit 1 when it violates one."""
    net = _load_net(network_dir)
    summary_path = Path(plan_dir) / "summary.json"
    penalty = DEFAULT_UNASSIGNED_PENALTY_PER_TEU
    if summary_path.is_file():
        s = json.loads(summary_path.read_text(encoding="utf-8"))
        penalty = float(s.get("unassigned_penalty_per_teu", penalty))
        inp = s.get("inputs", {})
        if "horizon_start" in inp and not departures and start is None:
            start = dt.date.fromisoformat(inp["horizon_start"])
            days = int(inp["horizon_days"])
            scope = inp.get("scope", scope)
    problem = build_problem(
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
@handle_errors
def map_cmd(
    plan_dir: str, out: str | None, offline: bool, tiles: str | None, network_dir: str | None
) -> None:
    """Draw the map and the report of the plan in PLAN_DIR again (no solving)."""
    net = _load_net(network_dir)
    inputs = Path(plan_dir) / "inputs"
    ships = read_shipments(inputs / "shipments.csv", net, origins_served=False)
    deps = read_departures(inputs / "departures.csv", net)
    quota, by_date = read_border_quota(inputs / "border_quota.csv", net)
    problem = make_problem(ships, net, deps, border_quota=quota, border_quota_by_date=by_date)
    plan = read_plan(plan_dir, problem)
    map_file = Path(out) if out else Path(plan_dir) / "map.html"
    report = _draw(plan, net, map_file, offline, tiles)
    click.echo(f"map written to {map_file}, report to {report}")


@main.command()
@click.option("--scale", type=click.Choice(list(SCALES)), required=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(file_okay=False), required=True)
@click.option(
    "--special/--plain",
    default=True,
    show_default=True,
    help="Add no-split lots, avoided countries, dangerous goods, drayage and unservable cases.",
)
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@handle_errors
def generate(scale: str, seed: int, out: str, special: bool, network_dir: str | None) -> None:
    """Write a generated batch (shipments.csv, departures.csv, border_quota.csv) to --out."""
    net = _load_net(network_dir)
    batch = generate_batch(net, scale, seed, special=special)
    files = write_batch(out, batch.shipments, batch.departures, batch.quota)
    teu = sum(s.teu for s in batch.shipments)
    click.echo(
        f"{scale} seed {seed}: {len(batch.shipments)} shipments, {teu} TEU, {len(batch.departures)} departures "
        f"-> {', '.join(str(f) for f in files)}"
    )


@main.command()
@click.argument("instances", nargs=-1)
@click.option(
    "--time-limit",
    type=float,
    help="Seconds per instance (default: per family, the issue's targets).",
)
@click.option(
    "--seeds", default="1", show_default=True, help="Seeds of the generated batches, e.g. 1,2,3."
)
@click.option("--no-reference", is_flag=True, help="Skip the standalone HiGHS reference.")
@click.option(
    "--reference-time-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds for the standalone HiGHS reference (default: the same as railplan's).",
)
@click.option("--out", type=click.Path(file_okay=False), default="out/bench", show_default=True)
@click.option(
    "--markdown", "md", type=click.Path(dir_okay=False), default="BENCHMARKS.md", show_default=True
)
@click.option(
    "--plot", type=click.Path(dir_okay=False), default="docs/bench_scaling.png", show_default=True
)
@handle_errors
def bench(
    instances: tuple[str, ...],
    time_limit: float | None,
    seeds: str,
    no_reference: bool,
    reference_time_limit: float | None,
    out: str,
    md: str,
    plot: str,
) -> None:
    """Benchmark INSTANCES (default: orlib and every generated scale) against standalone HiGHS."""
    from routing import bench as b

    try:
        seed_list = [int(s) for s in seeds.split(",") if s.strip()]
        names = b.instances(instances or ("orlib", *b.GENERATED))
    except ValueError as e:
        raise InputError([f"bench: {e}"]) from e
    rows = b.run(
        names,
        seed_list,
        time_limit,
        reference=not no_reference,
        reference_time_limit=reference_time_limit,
        echo=click.echo,
    )
    b.write_csv(rows, Path(out) / "results.csv")
    b.update_markdown(Path(md), b.markdown(rows, time_limit, reference_time_limit))
    b.scaling_plot(rows, Path(plot))
    click.echo(f"results: {Path(out) / 'results.csv'}; table in {md}; plot {plot}")


if __name__ == "__main__":  # pragma: no cover
    main()
