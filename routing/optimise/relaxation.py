"""The linear relaxation of a model, kept in one HiGHS instance (``highspy``) between solves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import highspy
import numpy as np
from highspy import _core
from ortools.math_opt import model_pb2

from routing.optimise.mathopt import append_rows, run_highs
from routing.optimise.matrix import Row
from routing.optimise.params import DEFAULT, INF, SolveParams


class Relaxation:
    """The linear relaxation of a model kept in one HiGHS instance (``highspy``) between
    solves: after bounds change or rows are added, it re-solves by dual simplex from its last
    basis. On a 26,000-column part that takes 0.05 s with the trains fixed and 0.06 s with
    them freed again, where GLOP through MathOpt took 0.35 s and 0.78 s (BENCHMARKS.md)."""

    def __init__(self, pr: model_pb2.ModelProto, *, params: SolveParams = DEFAULT) -> None:
        self.n, self.rows = len(pr.variables.ids), len(pr.linear_constraints.ids)
        self.lb = list(pr.variables.lower_bounds)
        self.ub = list(pr.variables.upper_bounds)
        self.pr = model_pb2.ModelProto()
        self.pr.CopyFrom(pr)
        self.restarts = 0
        self.max_restarts = params.lp_restarts
        self.added: list[Row] = []
        self.pending: dict[int, tuple[float, float]] = {}  # bounds not yet given to HiGHS
        self.solver: Any = highs_lp(pr)

    def fix(self, j: int, lb: float, ub: float | None = None) -> None:
        """Bound column ``j`` to ``[lb, ub]`` (``ub`` = ``lb`` if not given)."""
        ub = lb if ub is None else ub
        if lb != self.lb[j] or ub != self.ub[j]:
            self.lb[j], self.ub[j] = lb, ub
            self.pending[j] = (lb, ub)

    def drop_added(self) -> None:
        """Remove the rows :meth:`add_rows` added."""
        self._remove_added(range(len(self.added)))

    def _remove_added(self, which: Sequence[int]) -> None:
        """Remove the added rows at positions ``which`` (ascending) of :attr:`added`."""
        if not which:
            return
        first = self.rows - len(self.added)
        if self.solver is not None:
            gone = np.array([first + i for i in which], dtype=np.int32)
            self.solver.deleteRows(len(gone), gone)
        out = set(which)
        self.added = [r for i, r in enumerate(self.added) if i not in out]
        self.rows -= len(which)

    def drop_slack(self, vals: Sequence[float], tol: float = 1e-6) -> None:
        """Remove the rows :meth:`add_rows` added that ``vals`` (the last optimum) keeps with
        room to spare: the optimum stays one, and later solves are shorter."""
        slack = []
        for i, (lb, ub, idx, coef) in enumerate(self.added):
            act = sum(c * vals[j] for j, c in zip(idx, coef, strict=True))
            scale = tol * max(1.0, abs(act))
            if (lb == -INF or act > lb + scale) and (ub == INF or act < ub - scale):
                slack.append(i)
        self._remove_added(slack)

    def add_rows(self, rows: Sequence[Row]) -> None:
        self.added.extend(rows)
        self.rows += len(rows)
        if self.solver is not None and rows:
            starts: list[int] = []
            idx: list[int] = []
            coef: list[float] = []
            for _lb, _ub, cols, vals in rows:
                starts.append(len(idx))
                idx.extend(cols)
                coef.extend(vals)
            self.solver.addRows(
                len(rows),
                np.array([r[0] for r in rows], dtype=float),
                np.array([r[1] for r in rows], dtype=float),
                len(idx),
                np.array(starts, dtype=np.int32),
                np.array(idx, dtype=np.int32),
                np.array(coef, dtype=float),
            )

    def basis(self) -> Any:
        """The last solve's basis (None if there is none to give)."""
        return self.solver.getBasis() if self.solver is not None else None

    def start_from(self, basis: Any) -> None:
        """Solve next from ``basis`` (of this relaxation with the same bounds and rows)."""
        if self.solver is not None and basis is not None and basis.valid:
            self._apply_bounds()
            self.solver.setBasis(basis)

    def solve(self, time_limit: float) -> list[float] | None:
        """The optimum's column values, or None (infeasible, or out of time)."""
        if time_limit <= 0:
            return None
        if self.solver is not None:
            try:
                return self._solve(time_limit)
            except Exception:  # HiGHS gave up (a solve error, rarely): a new instance from the
                # model as it now is, up to max_restarts times, then HiGHS afresh for every solve
                self.solver = None
                self.restarts += 1
                if self.restarts <= self.max_restarts:
                    try:
                        self.solver = highs_lp(self._current())
                        self.pending.clear()
                        return self._solve(time_limit)
                    except Exception:
                        self.solver = None
        ans = run_highs(self._current(), time_limit)
        return ans.values if ans.reason == "optimal" else None

    def _current(self) -> model_pb2.ModelProto:
        """The relaxation as it now is (bounds and added rows), as a new proto."""
        pr = model_pb2.ModelProto()
        pr.CopyFrom(self.pr)
        del pr.variables.lower_bounds[:], pr.variables.upper_bounds[:]
        pr.variables.lower_bounds.extend(self.lb)
        pr.variables.upper_bounds.extend(self.ub)
        del pr.variables.integers[:]
        pr.variables.integers.extend([False] * self.n)
        con = pr.linear_constraints
        append_rows(con, pr.linear_constraint_matrix, self.added, len(con.ids))
        return pr

    def _apply_bounds(self) -> None:
        if self.pending:
            idx = sorted(self.pending)
            self.solver.changeColsBounds(
                len(idx),
                np.array(idx, dtype=np.int32),
                np.array([self.pending[j][0] for j in idx], dtype=float),
                np.array([self.pending[j][1] for j in idx], dtype=float),
            )
            self.pending.clear()

    def _solve(self, time_limit: float) -> list[float] | None:
        h = self.solver
        self._apply_bounds()
        # HiGHS's time limit counts the instance's run time over all its solves
        h.setOptionValue("time_limit", h.getRunTime() + max(0.01, time_limit))
        if h.run() == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS failed on the relaxation")
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return list(h.getSolution().col_value)
        if status in _LP_NO_ANSWER:
            return None
        raise RuntimeError(f"HiGHS ended the relaxation with {h.modelStatusToString(status)}")


#: how a relaxation ends without an optimum, but without failing: infeasible, out of time
_LP_NO_ANSWER = (
    highspy.HighsModelStatus.kInfeasible,
    highspy.HighsModelStatus.kUnboundedOrInfeasible,
    highspy.HighsModelStatus.kTimeLimit,
    highspy.HighsModelStatus.kIterationLimit,
    highspy.HighsModelStatus.kInterrupt,
)


def highs_lp(pr: model_pb2.ModelProto) -> Any:
    """A HiGHS instance holding the linear model ``pr`` (its integrality ignored)."""
    n, m = len(pr.variables.ids), len(pr.linear_constraints.ids)
    mat = pr.linear_constraint_matrix
    r = np.array(mat.row_ids, dtype=np.int64)
    c = np.array(mat.column_ids, dtype=np.int64)
    a = np.array(mat.coefficients, dtype=float)
    order = np.lexsort((r, c))  # column-major
    cost = np.zeros(n)
    cost[np.array(pr.objective.linear_coefficients.ids, dtype=np.int64)] = np.array(
        pr.objective.linear_coefficients.values, dtype=float
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = cost
    lp.col_lower_ = np.array(pr.variables.lower_bounds, dtype=float)
    lp.col_upper_ = np.array(pr.variables.upper_bounds, dtype=float)
    lp.row_lower_ = np.array(pr.linear_constraints.lower_bounds, dtype=float)
    lp.row_upper_ = np.array(pr.linear_constraints.upper_bounds, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.bincount(c, minlength=n))]).astype(
        np.int32
    )
    lp.a_matrix_.index_ = r[order].astype(np.int32)
    lp.a_matrix_.value_ = a[order]
    h = quiet_highs()
    h.setOptionValue("solver", "simplex")
    h.passModel(lp)
    return h


def quiet_highs() -> Any:
    """A ``highspy`` instance whose logging is off before it writes anything.

    ``highspy.Highs()`` enables its Python callbacks in its constructor, a HiGHS call that
    prints HiGHS's banner on the process's standard output while ``output_flag`` is still at
    its default; the core instance underneath takes ``output_flag`` first. (The relaxation
    uses no callbacks.)"""
    h = _core._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h
