"""``railplan generate`` and ``railplan bench``: generated batches and the benchmark harness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from network import Network
from railplan.cli.app import SEED, TIME_LIMIT, Finite, handle_errors, load_net, main
from routing.api import read_problem
from routing.domain.options import build_options
from routing.generate import DEMAND_FACTORS, SCALES
from routing.generate import generate as generate_batch
from routing.generate_dense import (
    DEFAULT_CAPACITY_RATIO,
    MAX_PAIRS,
    MAX_SHIPMENTS,
    MAX_TRAINS,
    RATE_COLUMNS,
    DenseSpec,
    achieved_ratio,
    generate_dense,
    rate_rows,
)
from routing.io import InputError, write_batch
from routing.io.table import write_csv

#: the files ``railplan generate`` writes (a dense batch adds rates.csv)
BATCH_FILES = ("shipments.csv", "departures.csv", "border_quota.csv")
DENSE = "dense"
SHIPMENTS = click.IntRange(1, MAX_SHIPMENTS)
TRAINS = click.IntRange(1, MAX_TRAINS)
RATIO = Finite(0.01, 100.0)
FACTOR = Finite(*DEMAND_FACTORS)


@main.command()
@click.option("--scale", type=click.Choice([*SCALES, DENSE]), required=True)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--out", type=click.Path(file_okay=False), required=True)
@click.option(
    "--special/--plain",
    default=True,
    show_default=True,
    help="Add no-split lots, avoided countries, dangerous goods, drayage and unservable cases "
    "(not for --scale dense).",
)
@click.option("--shipments", type=SHIPMENTS, help="--scale dense: shipments (customers).")
@click.option("--trains", type=TRAINS, help="--scale dense: trains (facilities).")
@click.option(
    "--capacity-ratio",
    type=RATIO,
    help=f"--scale dense: total train TEU / total demand TEU (default {DEFAULT_CAPACITY_RATIO:g}).",
)
@click.option(
    "--demand-factor",
    type=FACTOR,
    help="Over-subscription: total demand about F times the trains' TEU capacity.",
)
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace batch files of the same names in --out.")
@handle_errors
def generate(**kw: Any) -> None:
    """Write a generated batch (shipments.csv, departures.csv, border_quota.csv; rates.csv for
    --scale dense) to --out; files of the same names already there are kept unless --force."""
    ctx = click.get_current_context()
    dense = kw["scale"] == DENSE
    _check_flags(kw, dense, ctx.get_parameter_source("special") == ParameterSource.COMMANDLINE)
    names = (*BATCH_FILES, "rates.csv") if dense else BATCH_FILES
    out = kw["out"]
    there = [n for n in names if (Path(out) / n).exists()]
    if there and not kw["force"]:
        raise InputError(
            [
                f"--out {out!r}: already holds {', '.join(there)}; expected a folder without them "
                "(--force replaces them)"
            ]
        )
    net = load_net(kw["network_dir"])
    if dense:
        _generate_dense(net, kw)
        return
    scale, seed = kw["scale"], kw["seed"]
    batch = generate_batch(
        net, scale, seed, special=kw["special"], demand_factor=kw["demand_factor"]
    )
    files = write_batch(out, batch.shipments, batch.departures, batch.quota)
    teu = sum(s.teu for s in batch.shipments)
    capacity = sum(d.capacity_teu for d in batch.departures)
    factor = f", demand {teu / capacity:.3f} x capacity" if kw["demand_factor"] else ""
    click.echo(
        f"{scale} seed {seed}: {len(batch.shipments)} shipments, {teu} TEU, "
        f"{len(batch.departures)} departures{factor} -> {', '.join(str(f) for f in files)}"
    )


def _check_flags(kw: dict[str, Any], dense: bool, special_given: bool) -> None:
    """Every flag that does not apply to the scale is one error line (nothing is ignored)."""
    problems = []
    if dense:
        problems += [
            f"--scale dense: {flag} is required (expected an integer)"
            for flag, key in (("--shipments", "shipments"), ("--trains", "trains"))
            if kw[key] is None
        ]
        if kw["capacity_ratio"] is not None and kw["demand_factor"] is not None:
            problems.append(
                "--scale dense: --capacity-ratio and --demand-factor both given; expected one "
                "(--demand-factor F is --capacity-ratio 1/F)"
            )
        if special_given:
            problems.append("--scale dense: --special/--plain do not apply; expected neither")
        if kw["shipments"] and kw["trains"] and kw["shipments"] * kw["trains"] > MAX_PAIRS:
            problems.append(
                f"--shipments x --trains: {kw['shipments'] * kw['trains']:,}: expected at most "
                f"{MAX_PAIRS:,} shipment-train pairs"
            )
    else:
        problems += [
            f"--scale {kw['scale']}: {flag} applies to --scale dense only; expected no {flag}"
            for flag, key in (
                ("--shipments", "shipments"),
                ("--trains", "trains"),
                ("--capacity-ratio", "capacity_ratio"),
            )
            if kw[key] is not None
        ]
    if problems:
        raise InputError(problems)


def _generate_dense(net: Network, kw: dict[str, Any]) -> None:
    """Draw, write, read back through the planner's reader and check that every shipment has
    every train as an option."""
    ratio = kw["capacity_ratio"] or DEFAULT_CAPACITY_RATIO
    if kw["demand_factor"] is not None:
        ratio = 1.0 / kw["demand_factor"]
    spec = DenseSpec(
        shipments=kw["shipments"], trains=kw["trains"], capacity_ratio=ratio, seed=kw["seed"]
    )
    batch = generate_dense(net, spec)
    out = Path(kw["out"])
    files = write_batch(out, batch.shipments, batch.departures, batch.quota)
    write_csv(out / "rates.csv", RATE_COLUMNS, rate_rows(batch))
    files.append(out / "rates.csv")
    options = dense_option_counts(files, net)
    if min(options) != len(batch.departures):
        raise RuntimeError(
            f"generated dense batch: a shipment has {min(options)} of {len(batch.departures)} "
            "trains as options; expected all"
        )
    teu = sum(s.teu for s in batch.shipments)
    click.echo(
        f"dense {spec.trains}x{spec.shipments} seed {spec.seed}: {len(batch.shipments)} "
        f"shipments, {teu} TEU, {len(batch.departures)} trains, capacity ratio "
        f"{achieved_ratio(batch):.3f} (asked {ratio:g}), every shipment {len(batch.departures)} "
        f"options -> {', '.join(str(f) for f in files)}"
    )


def dense_option_counts(files: list[Path], net: Network) -> list[int]:
    """Options per shipment of the written batch, as ``railplan plan`` would read it."""
    folder = files[0].parent
    problem = read_problem(
        str(folder / "shipments.csv"),
        net,
        departures=str(folder / "departures.csv"),
        rates=str(folder / "rates.csv"),
        border_quota=str(folder / "border_quota.csv"),
    )
    return [len(o) for o in build_options(problem).by_shipment]


@main.command()
@click.argument("instances", nargs=-1)
@click.option(
    "--time-limit",
    type=TIME_LIMIT,
    help="Seconds per instance (default: per family, the issue's targets).",
)
@click.option(
    "--seeds", default="1", show_default=True, help="Seeds of the generated batches, e.g. 1,2,3."
)
@click.option("--no-reference", is_flag=True, help="Skip the standalone HiGHS reference.")
@click.option(
    "--reference-time-limit",
    type=TIME_LIMIT,
    help="Seconds for the standalone HiGHS reference (default: the same as railplan's).",
)
@click.option("--out", type=click.Path(file_okay=False), default="out/bench", show_default=True)
@click.option(
    "--markdown", "md", type=click.Path(dir_okay=False), default="BENCHMARKS.md", show_default=True
)
@click.option(
    "--plot", type=click.Path(dir_okay=False), default="docs/bench_scaling.png", show_default=True
)
@click.option(
    "--anytime",
    help="Time limits, e.g. 5,10,30,60: the anytime curve of each instance (both solvers at "
    "each limit) instead of the table; CSV in --out, plot docs/anytime_INSTANCE.png.",
)
@click.option(
    "--scaling",
    is_flag=True,
    help="The scaling study instead of the table: time per phase against shipments and options "
    "per shipment (INSTANCES: its cases, default all; --time-limit default 10 s); CSV and "
    "Markdown in --out, plot docs/bench_scaling_families.png.",
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
    anytime: str | None,
    scaling: bool,
) -> None:
    """Benchmark INSTANCES (default: orlib and every generated scale) against standalone HiGHS."""
    from benchmarks import harness as b  # deferred: developer tooling, loaded only for bench

    if scaling:
        _scaling(
            instances, int(seeds.split(",")[0]), time_limit or 10.0, Path(out), Path(plot).parent
        )
        return
    try:
        seed_list = [int(s) for s in seeds.split(",") if s.strip()]
        names = b.instances(instances or ("orlib", *b.GENERATED))
    except ValueError as e:
        raise InputError([f"bench: {e}"]) from e
    if anytime is not None:
        _anytime(names, seed_list[0] if seed_list else 1, anytime, Path(out), Path(plot).parent)
        return
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


def _scaling(names: tuple[str, ...], seed: int, limit: float, out: Path, docs: Path) -> None:
    """The scaling study (:mod:`benchmarks.scaling`)."""
    from benchmarks import scaling

    known = scaling.cases()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(
            [
                f"bench --scaling: unknown case {n!r}: expected one of {', '.join(known)}"
                for n in unknown
            ]
        )
    rows = scaling.run(names or known, seed, limit, echo=click.echo)
    scaling.write_csv(rows, out / "scaling.csv")
    (out / "scaling.md").write_text(scaling.markdown(rows) + "\n")
    scaling.plot(rows, docs / "bench_scaling_families.png")
    click.echo(
        f"scaling: {out / 'scaling.csv'}, {out / 'scaling.md'}; plot {docs / 'bench_scaling_families.png'}"
    )


def _limits(text: str) -> list[float]:
    """``--anytime`` as seconds; every bad item one error line."""
    limits, problems = [], []
    for item in (x.strip() for x in text.split(",")):
        try:
            limits.append(TIME_LIMIT.convert(item, None, None))
        except click.BadParameter as e:
            problems.append(f"--anytime: {e.message}")
    if not limits and not problems:
        problems.append(f"--anytime {text!r}: expected time limits in seconds, e.g. 5,10,30")
    if problems:
        raise InputError(problems)
    return limits


def _anytime(names: list[str], seed: int, text: str, out: Path, docs: Path) -> None:
    """The anytime curve of every instance (:mod:`benchmarks.anytime`)."""
    from benchmarks import anytime, families

    limits = _limits(text)
    for name in names:
        points = anytime.run(name, seed, limits, echo=click.echo)
        csv_path = out / f"anytime-{name}-seed{seed}.csv"
        anytime.write_csv(points, csv_path)
        lp = families.bound(name, seed)[0].bound if name in families.FAMILY else None
        png = docs / f"anytime_{name}.png"
        anytime.plot(points, png, f"{name} seed {seed}: objective against wall time", lp_bound=lp)
        click.echo(f"anytime {name}: {csv_path}; plot {png}")
