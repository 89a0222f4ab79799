"""``railplan generate`` and ``railplan bench``: generated batches and the benchmark harness."""

from __future__ import annotations

from pathlib import Path

import click

from railplan.cli.app import SEED, TIME_LIMIT, handle_errors, load_net, main
from routing.generate import SCALES
from routing.generate import generate as generate_batch
from routing.io import InputError, write_batch

#: the files ``railplan generate`` writes
BATCH_FILES = ("shipments.csv", "departures.csv", "border_quota.csv")


@main.command()
@click.option("--scale", type=click.Choice(list(SCALES)), required=True)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--out", type=click.Path(file_okay=False), required=True)
@click.option(
    "--special/--plain",
    default=True,
    show_default=True,
    help="Add no-split lots, avoided countries, dangerous goods, drayage and unservable cases.",
)
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace batch files of the same names in --out.")
@handle_errors
def generate(
    scale: str, seed: int, out: str, special: bool, network_dir: str | None, force: bool
) -> None:
    """Write a generated batch (shipments.csv, departures.csv, border_quota.csv) to --out;
    files of the same names already there are kept unless --force."""
    there = [n for n in BATCH_FILES if (Path(out) / n).exists()]
    if there and not force:
        raise InputError(
            [
                f"--out {out!r}: already holds {', '.join(there)}; expected a folder without them "
                "(--force replaces them)"
            ]
        )
    net = load_net(network_dir)
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
    from benchmarks import harness as b  # deferred: developer tooling, loaded only for bench

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
