"""The ``railplan`` command group and what its commands share. The CLI owns output,
progress and exit codes: 0 success (even with unassigned shipments), 2 bad input, 1 internal
error (or, for ``railplan check``, a plan that violates its inputs)."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import math
import os
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

import network
import railplan
from network.io import TableError
from network.rows import parse_date
from routing.domain.model import (
    MAX_HORIZON_DAYS,
    MAX_UNASSIGNED_PENALTY_PER_TEU,
)
from routing.domain.plan import Plan

F = TypeVar("F", bound=Callable[..., Any])


def _err(msg: str) -> None:
    click.echo(msg, err=True)


def handle_errors(fn: F) -> F:
    """Bad input: one line per problem and exit 2; a closed pipe (``railplan network | head``):
    a quiet end; anything else: exit 1, no traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TableError as e:  # InputError, NetworkError, EventError
            for p in e.problems:
                _err(f"error: {p}")
            sys.exit(2)
        except BrokenPipeError:
            quiet_exit()
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as e:  # pragma: no cover - the last line of defence
            _err(f"internal error: {type(e).__name__}: {e}")
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


#: the exit status of a stale version or a lost race
EXIT_CONFLICT = 3
#: the exit status of ``ledger accept`` when the hold expired or its capacity went
EXIT_HOLD_LOST = 4


def ledger_errors(fn: F) -> F:
    """Ledger refusals: one ``error:`` line each, exit 2; a conflict: exit 3. The ledger's
    exceptions are imported only when one is raised, so a command that may not touch a
    database (``railplan quote --plan``) does not load SQLAlchemy to start."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            from railplan.ledger.errors import Conflict, LedgerError

            if not isinstance(e, LedgerError):
                raise
            for p in e.problems:
                _err(f"error: {p}")
            sys.exit(EXIT_CONFLICT if isinstance(e, Conflict) else 2)

    return wrapper  # type: ignore[return-value]


def quiet_exit() -> None:
    """End after the reader closed the pipe: stdout pointed at /dev/null so that Python's own
    flush at exit cannot fail again, exit status 0."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
    sys.exit(0)


def _date(_ctx: Any, _param: Any, v: str | None) -> dt.date | None:
    if v is None:
        return None
    try:
        return parse_date(v)
    except ValueError as e:
        raise click.BadParameter(f"{v!r}: expected {e}") from e


class Finite(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    """A finite number in a range (nan, inf and out-of-range values are refused)."""

    name = "number"

    def __init__(self, low: float, high: float, *, low_open: bool = False) -> None:
        self.low, self.high, self.low_open = low, high, low_open

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        try:
            x = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r}: expected a number", param, ctx)
        below = x <= self.low if self.low_open else x < self.low
        if not math.isfinite(x) or below or x > self.high:
            lo = f"over {self.low:g}" if self.low_open else f"from {self.low:g}"
            self.fail(f"{value!r}: expected a number {lo} to {self.high:g}", param, ctx)
        return x


#: the longest solve a command accepts, seconds (one day)
MAX_TIME_LIMIT = 86_400.0
TIME_LIMIT = Finite(0.0, MAX_TIME_LIMIT, low_open=True)
MAX_WORK_LIMIT = 1e7
WORK_LIMIT = Finite(0.0, MAX_WORK_LIMIT, low_open=True)
SEED = click.IntRange(0, 2**31 - 1)
DAYS = click.IntRange(1, MAX_HORIZON_DAYS)
PENALTY = Finite(0.0, MAX_UNASSIGNED_PENALTY_PER_TEU)


def default_lang() -> str:
    """``zh`` when the locale (``LC_ALL``, else ``LANG``) is Chinese, else ``en``."""
    loc = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "zh" if loc.lower().startswith("zh") else "en"


def lang_option(fn: F) -> F:
    """``--lang zh|en``: the language of the files made for people (default: the locale)."""
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default=default_lang,
        help="Language of the files for people (default: zh when the locale is Chinese).",
    )(fn)


def load_net(path: str | None) -> network.Network:
    return network.load(path)


class Progress:
    """Elapsed, best cost, bound and gap on stderr: one line per improvement when stderr is
    piped, a live ``rich`` progress bar on a terminal (elapsed against the time limit, best
    cost, bound, gap and parts done); nothing when ``quiet``. Use it as a context manager, so
    that the bar ends before the summary is printed.

    ``live`` forces the bar on or off (default: whether stderr is a terminal); ``console`` is
    where the bar is drawn (default: stderr)."""

    def __init__(
        self,
        quiet: bool,
        time_limit: float | None = None,
        *,
        live: bool | None = None,
        console: Any = None,
    ) -> None:
        self.quiet = quiet
        self.t0 = time.perf_counter()
        self.time_limit = time_limit
        self.live = not quiet and (sys.stderr.isatty() if live is None else live)
        self.bar: Any = None
        self.task: Any = None
        if self.live:
            self._start_bar(console)

    def _start_bar(self, console: Any) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        t0, limit = self.t0, self.time_limit or 0.0

        class _Bar(Bar):
            def get_renderables(self) -> Any:  # the bar moves with the clock, not the calls
                for task in self.tasks:
                    task.completed = min(limit, time.perf_counter() - t0) if limit else 0
                yield from super().get_renderables()

        self.bar = _Bar(
            TextColumn("solving"),
            BarColumn(),
            TimeElapsedColumn(),
            TextColumn(f"of {limit:g} s" if limit else ""),
            TextColumn("{task.fields[status]}"),
            console=console if console is not None else Console(stderr=True),
            transient=False,
        )
        self.task = self.bar.add_task("solve", total=limit or None, status="")
        self.best = self.bound = math.nan
        self.done = self.total = 0
        self.bar.start()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the bar (its last state stays on screen)."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def _status(self) -> str:
        parts = [f"parts {self.done}/{self.total}"] if self.total else []
        if not math.isnan(self.best):
            gap = (self.best - self.bound) / max(abs(self.best), 1e-9)
            parts.insert(
                0, f"best {self.best:,.0f} USD  bound {self.bound:,.0f}  gap {100 * gap:.2f} %"
            )
        return "  ".join(parts)

    def __call__(self, elapsed: float, best: float, bound: float) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.best, self.bound = best, bound
            self.bar.update(self.task, status=self._status())
            return
        gap = (best - bound) / max(abs(best), 1e-9)
        _err(
            f"  {elapsed:7.1f} s   best {best:,.0f} USD   bound {bound:,.0f}   gap {100 * gap:.2f} %"
        )

    def parts(self, done: int, total: int) -> None:
        """Parts of the problem solved (the decomposition calls it); shown on the bar only."""
        if self.bar is not None:
            self.done, self.total = done, total
            self.bar.update(self.task, status=self._status())


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


#: each command's module, imported only when the command runs (or ``--help`` lists them): so
#: ``railplan quote`` starts without importing the solver, the maps or the database. A module
#: registers its commands on :data:`main` when it is imported.
COMMANDS: dict[str, str] = {}


_START = [0.0, 0.0]  # this command's start on the perf_counter clock; commands run so far


def _mark_start() -> None:
    """A command starts when the process started importing railplan (a console script: the
    start-up counts), or now for a second command in one process (tests, callers of main)."""
    now = time.perf_counter()
    first = _START[1] == 0 and now - railplan.STARTED < MAX_START_UP_SECONDS
    _START[0] = railplan.STARTED if first else now
    _START[1] += 1


#: start-up longer than this is another program's (railplan imported long before main ran)
MAX_START_UP_SECONDS = 4.0


def command_deadline(time_limit: float) -> Any:
    """The wall-clock budget of a command's ``--time-limit``: from its start (see
    :func:`_mark_start`) to its plan written."""
    from routing.optimise.params import Deadline  # the solver's: only commands that solve

    start = _START[0] or time.perf_counter()
    return Deadline.at(start + time_limit)


class Group(click.Group):
    """The command group; a wrong flag or argument is one ``error:`` line and exit 2, like
    every other input problem (click's default prints usage over three lines). Commands
    are loaded lazily from :data:`COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(COMMANDS[cmd_name])
        return super().get_command(ctx, cmd_name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        _mark_start()
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.UsageError as e:
            cmd = e.ctx.command_path if e.ctx is not None else "railplan"
            _err(f"error: {e.format_message()} (see {cmd} --help)")
            sys.exit(2)
        except click.ClickException as e:
            _err(f"error: {e.format_message()}")
            sys.exit(e.exit_code)
        except click.Abort:
            _err("aborted")
            sys.exit(1)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
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
        type=TIME_LIMIT,
        default=30.0,
        show_default=True,
        help="Wall-clock seconds from reading the inputs to the plan written (maps not counted).",
    ),
    click.option(
        "--work-limit",
        type=WORK_LIMIT,
        help="Deterministic work units instead of --time-limit: the same input and seed give "
        "the same plan on any machine under any load (the clock is not read).",
    ),
    click.option("--seed", type=SEED, default=0, show_default=True),
    click.option("--quiet", is_flag=True, help="No progress on stderr."),
    click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
]


def common(fn: F) -> F:
    for opt in reversed(_common):
        fn = opt(fn)
    return fn
