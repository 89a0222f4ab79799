"""Progress of a solve: plain lines on a pipe, a live rich bar on a terminal (elapsed against
the time limit, best cost, bound, gap and parts done), nothing with --quiet."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from railplan.cli.app import Progress


def test_piped_progress_is_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    with Progress(False, 30.0, live=False) as p:
        p.parts(1, 3)  # not shown without the bar
        p(1.5, 1_000.0, 900.0)
    err = capsys.readouterr().err
    assert err == "      1.5 s   best 1,000 USD   bound 900   gap 10.00 %\n"


def test_a_terminal_shows_a_live_bar_with_best_bound_gap_and_parts() -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=160, color_system="standard")
    with Progress(False, 30.0, live=True, console=console) as p:
        p.parts(2, 5)
        p(1.5, 1_000.0, 900.0)
    text = buf.getvalue()
    assert "solving" in text and "of 30 s" in text
    assert "best 1,000 USD" in text and "bound 900" in text and "gap 10.00 %" in text
    assert "parts 2/5" in text
    assert "━" in text  # the bar


def test_quiet_silences_the_bar_and_the_lines(capsys: pytest.CaptureFixture[str]) -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=160)
    with Progress(True, 30.0, live=True, console=console) as p:
        p.parts(2, 5)
        p(1.5, 1_000.0, 900.0)
    assert buf.getvalue() == ""
    assert capsys.readouterr().err == ""


def test_the_decomposition_reports_parts_done() -> None:
    """A solve of the sample batch in parts calls ``parts`` up to the number of parts."""
    import network
    from routing.api import read_problem, solve_problem
    from tests.factories import ROOT

    net = network.load()
    problem = read_problem(str(ROOT / "data" / "samples" / "shipments.csv"), net)
    seen: list[tuple[int, int]] = []

    class Recorder:
        def __call__(self, elapsed: float, best: float, bound: float) -> None:
            pass

        def parts(self, done: int, total: int) -> None:
            seen.append((done, total))

    solve_problem(problem, time_limit=20, seed=0, progress=Recorder())
    assert seen, "no parts reported"
    total = seen[-1][1]
    assert total > 1 and seen[-1][0] == total
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
