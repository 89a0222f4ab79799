"""``railplan network`` and ``railplan timetable``: what the network holds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

import maps
from railplan.cli.app import DAYS, _date, handle_errors, lang_option, load_net, main
from routing.io import write_departures


@main.command("network")
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@click.option("--check", "do_check", is_flag=True, help="Validate the data; exit 2 on a problem.")
@click.option(
    "--map", "map_file", type=click.Path(dir_okay=False), help="Write the network map here."
)
@click.option("--offline", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
@lang_option
@handle_errors
def network_cmd(
    network_dir: str | None,
    do_check: bool,
    map_file: str | None,
    offline: bool,
    as_json: bool,
    lang: str,
) -> None:
    """Summarise (and validate) the network."""
    net = load_net(network_dir)
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
        m = maps.network_map(net, offline=offline, lang=lang)
        maps.save(m, Path(map_file), offline=offline)
        click.echo(f"map written to {map_file}")


@main.command()
@click.option("--start", callback=_date, required=True, help="First day (YYYY-MM-DD).")
@click.option("--days", type=DAYS, default=28, show_default=True)
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
    net = load_net(network_dir)
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
