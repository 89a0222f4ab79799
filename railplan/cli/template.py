"""``railplan template``: the input workbook a planner fills in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from railplan.cli.app import _date, handle_errors, lang_option, load_net, main
from routing.io import InputError
from routing.io.template import write_template


@main.command()
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The .xlsx to write.")
@lang_option
@click.option("--start", callback=_date, help="The example rows' first ready date.")
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing file.")
@handle_errors
def template(
    out: str, lang: str, start: dt.date | None, network_dir: str | None, force: bool
) -> None:
    """Write an input workbook (.xlsx) to fill in: the shipments sheet with drop-down lists
    and two example rows, instructions, and optional sheets for departures, rates, border
    quotas and trucking. `railplan plan` reads it back directly."""
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise InputError([f"--out {out!r}: expected a file name ending in .xlsx"])
    if path.exists() and not force:
        raise InputError([f"--out {out!r}: the file exists; pass --force to replace it"])
    net = load_net(network_dir)
    write_template(path, net, lang, start)
    click.echo(f"template written to {path}")
