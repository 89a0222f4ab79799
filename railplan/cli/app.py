"""The ``railplan`` command group and what its commands share. The CLI owns output,
progress and exit codes: 0 success (even with unassigned shipments), 2 bad input, 1 internal
error (or, for ``railplan check``, a plan that violates its inputs)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

import network
from network import NetworkError
from routing.domain.plan import Plan
from routing.io import InputError

F = TypeVar("F", bound=Callable[..., Any])


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


def load_net(path: str | None) -> network.Network:
    return network.load(path)


class Progress:
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


def summary_text(plan: Plan, out: Path | None) -> str:
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
