"""The optimiser's tuning knobs in one record, and the wall-clock budget a solve runs within.

:class:`SolveParams` holds every constant that steers the search (its defaults are the values
the benchmarks in BENCHMARKS.md were run with); :class:`Deadline` is the time a step may
take. Neither imports a solver library.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

INF = math.inf


@dataclass(frozen=True, slots=True, kw_only=True)
class SolveParams:
    """The optimiser's tuning constants; a share is a fraction of a step's budget in wall
    time, seconds are wall-clock seconds, columns are columns of the part's model."""

    # -- the ``auto`` back end (routing.optimise.solver) ---------------------------------------
    #: CP-SAT's quick attempt on a small part: at most this many deterministic seconds
    #: (and at most a quarter of the part's budget)
    auto_cp_sat_seconds: float = 1.0
    #: a part gets CP-SAT's quick attempt when its model has at most this many columns
    auto_cp_sat_max_columns: int = 5_000
    #: share of the time left after CP-SAT that goes to relax-fix-round's plans
    lp_heuristic_share: float = 0.5
    #: share of the time left after relax-fix-round for the large-neighbourhood search (all
    #: of it when no HiGHS search follows)
    lns_share: float = 0.5
    #: trains re-planned at a time by one neighbourhood (a window of consecutive departures)
    lns_window: int = 6
    #: seconds a window's MIP first gets (twice that each time it runs out)
    lns_seconds: float = 0.2

    # -- dense parts (routing.optimise.kernel, routing.optimise.lagrange) ------------------------
    #: a part is dense (kernel search instead of relax-fix-round and the date windows) when its
    #: shipment classes have at least this many options on average ...
    dense_options: float = 20.0
    #: ... and it has at least this many trains and options (smaller ones, OR-Library's 50 x 50
    #: among them, CP-SAT and HiGHS prove in moments)
    dense_min_trains: int = 20
    dense_min_options: int = 20_000
    #: ... and its classes may ride at least this share of its trains on average: a
    #: timetable's part, where a shipment rides the departures after its ready date (about half
    #: of them: a Shanxi year's largest parts have 0.5), keeps the date windows that work there
    dense_share: float = 0.75
    #: share of a dense part's budget for the Lagrangian bound's subgradient steps
    lagrange_share: float = 0.15
    #: the kernel holds the trains the Lagrangian runs, topped up to this many times the TEU
    kernel_cover: float = 1.5
    #: share of the kernel search's time for add/drop/swap moves on the running trains (the
    #: rest: the MIP over the trains they run and the next-ranked ones)
    kernel_local_share: float = 0.3
    #: the restricted MIPs that finish kernel search: per class this many columns of the
    #: smallest Lagrangian reduced cost, one MIP a bucket, then (0) every column of the trains
    kernel_columns: tuple[int, ...] = (8, 16, 0)
    #: a dense part priced by min-cost flows (routing.optimise.facility): the local search
    #: starts from this many of the cheapest train sets the Lagrangian's steps run
    flow_starts: int = 20

    # -- --work-limit (routing.optimise.solver._deterministic) --------------------------------
    #: parts of more columns get CP-SAT's deterministic search, not HiGHS's node-limited one
    work_highs_max_columns: int = 20_000

    # -- rounding (routing.optimise.rounding) --------------------------------------------------
    #: cheapest trains a container the rounding could not place tries, making room there
    ejection_tries: int = 4
    #: passes of iterated rounding (no-split lots put on their likeliest train, then what the
    #: relaxation places whole kept) before a plan is rounded
    rounding_passes: int = 20
    #: share of relax-fix-round's budget those passes may take per plan
    rounding_share: float = 0.1

    # -- relax-fix-round (routing.optimise.relax_fix_round) -------------------------
    #: seconds HiGHS may take to close what rounding lost, with the plan's trains fixed
    polish_seconds: float = 3.0
    #: share of relax-fix-round's budget left to the polish by the search for plans and bounds
    polish_share: float = 0.15
    #: a polish MIP of more free columns than this is not tried (on a 52-train part one of
    #: 15,000 took 1 s and never found a cheaper plan)
    polish_max_columns: int = 10_000
    #: seconds HiGHS runs over its time limit per column of its model (presolve is not cut)
    highs_overrun_per_column: float = 1e-4
    #: a dive fixes the likeliest fractional train on while one is at least this likely (0-1)
    dive_up: float = 0.3
    #: a dive runs on parts of at most this many columns (each step solves the relaxation)
    dive_max_columns: int = 60_000
    #: plans come before the interval cuts when the first relaxation takes more than this
    #: share of relax-fix-round's budget (a 90-train part: 8 s of 24 s, and no plan at the end)
    plan_first_share: float = 0.15
    #: share of relax-fix-round's budget for run flips (0 turns them off)
    flip_share: float = 0.3
    #: run flips on parts of at most this many columns (on 59,000 a solve takes a second)
    flip_max_columns: int = 30_000
    #: trains switched together (one off, one on) at most this many places apart by date
    flip_pair_reach: int = 2
    #: share of relax-fix-round's budget for branching on the trains for a bound
    branch_share: float = 0.25

    # -- interval cuts (routing.optimise.cuts) -------------------------------------------------
    #: at most this many rounds of cuts
    cut_rounds: int = 10
    #: each round adds at most this many of the most violated cuts
    cuts_per_round: int = 50
    #: share of relax-fix-round's budget the rounds may take
    cut_share: float = 0.4
    #: rounds stop when one lifts the bound by less than this (relative)
    cut_min_lift: float = 2e-4

    # -- the relaxation (routing.optimise.relaxation) ------------------------------------------
    #: a relaxation whose HiGHS instance fails is rebuilt at most this often, then solved by
    #: HiGHS afresh through MathOpt
    lp_restarts: int = 3

    # -- decomposition (routing.optimise.decompose) --------------------------------------------
    #: seconds of a back end's own overhead beyond its time limit, per option of the part
    overhead_per_option: float = 1e-4
    #: CPU seconds a part's HiGHS search gets at least, or none: it needs a while to move off a
    #: good start (BENCHMARKS.md)
    min_search_seconds: float = 4.0
    #: parts of at most this many options get HiGHS's search in the first pass too
    small_part_options: int = 5_000
    #: seconds a small part gets at most in the first pass
    first_pass_seconds: float = 3.0
    #: in the first pass's time shares the small parts count together as at most this share
    #: of all options
    small_parts_share: float = 0.1
    #: a part of at most this many options reached after the deadline still gets ...
    late_part_options: int = 1_000
    #: ... this many seconds (CP-SAT proves such a part in 10-50 ms; its trivial bound is
    #: often 40 % below its optimum)
    late_part_seconds: float = 0.05
    #: ... while the deadline is passed by at most this share of the limit
    late_share: float = 0.03
    #: seconds a part gets at least in the first pass (while the deadline has them) ...
    first_pass_floor: float = 0.5
    #: ... and at most this share of the whole limit
    first_pass_floor_share: float = 0.02


#: the defaults, the values every benchmark was run with
DEFAULT = SolveParams()


class Deadline:
    """A wall-clock budget: the moment a step must end by, and a flag that ends it early.

    ``remaining()`` and ``expired()`` are all a step asks; ``child(share)`` is a sub-budget
    of ``share`` of what is left (never past the parent's end), ``until(seconds)`` one of at
    most ``seconds``. Children share the parent's cancel flag, so :meth:`cancel` ends a whole
    solve. A deterministic work budget can later stand behind the same interface."""

    __slots__ = ("_cancel", "_clock", "end", "seconds", "start")

    def __init__(
        self,
        seconds: float,
        *,
        clock: Callable[[], float] = time.perf_counter,
        cancel: threading.Event | None = None,
    ) -> None:
        self._clock = clock
        self._cancel = cancel if cancel is not None else threading.Event()
        #: when it started and the seconds it was given
        self.start = clock()
        self.seconds = seconds
        self.end = self.start + seconds

    @classmethod
    def at(
        cls,
        end: float,
        *,
        clock: Callable[[], float] = time.perf_counter,
        cancel: threading.Event | None = None,
    ) -> Deadline:
        """The budget that ends at ``end`` on ``clock``'s scale."""
        d = cls(0.0, clock=clock, cancel=cancel)
        d.end = end
        d.seconds = end - d.start
        return d

    def now(self) -> float:
        return self._clock()

    def elapsed(self) -> float:
        """Seconds since it started."""
        return self._clock() - self.start

    def remaining(self) -> float:
        """Seconds left (negative once past the end; 0 once cancelled)."""
        return 0.0 if self._cancel.is_set() else self.end - self._clock()

    def expired(self) -> bool:
        return self._cancel.is_set() or self._clock() >= self.end

    def child(self, share: float) -> Deadline:
        """A sub-budget of ``share`` of the time left, ending no later than this one."""
        return Deadline.at(
            self._clock() + share * max(0.0, self.end - self._clock()),
            clock=self._clock,
            cancel=self._cancel,
        )

    def until(self, seconds: float) -> Deadline:
        """A sub-budget of at most ``seconds``, ending no later than this one."""
        return Deadline.at(
            min(self.end, self._clock() + seconds), clock=self._clock, cancel=self._cancel
        )

    def cancel(self) -> None:
        """End this budget, its parent's and every child's at once."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()
