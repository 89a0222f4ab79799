"""MIPs over some columns of a model, the rest fixed (the polish's and the neighbourhoods')."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from ortools.math_opt import model_pb2

from routing.optimise.mathopt import Answer, mathopt_model, run_highs
from routing.optimise.matrix import Matrix


class SubMip:
    """MIPs of a matrix with all but some columns fixed, built with only the free columns and
    the rows they are in (the fixed columns' part moved into the row bounds): HiGHS then
    reads and presolves a model the size of the neighbourhood, not of the whole part."""

    def __init__(self, mx: Matrix, pr: model_pb2.ModelProto | None = None) -> None:
        """``pr``: the matrix as a MathOpt proto already built (integer or not), if any."""
        if pr is None:
            pr = mathopt_model(mx, integer=True)  # entries row-major, columns ascending
        mat, con = pr.linear_constraint_matrix, pr.linear_constraints
        self.r = np.array(mat.row_ids, dtype=np.int64)
        self.c = np.array(mat.column_ids, dtype=np.int64)
        self.a = np.array(mat.coefficients, dtype=float)
        self.row_lb = np.array(con.lower_bounds, dtype=float)
        self.row_ub = np.array(con.upper_bounds, dtype=float)
        self.lb, self.ub = np.array(mx.lb, dtype=float), np.array(mx.ub, dtype=float)
        self.cost = np.array(mx.cost, dtype=float)

    def feasible(self, vals: Sequence[float], tol: float = 1e-6) -> bool:
        """:meth:`Matrix.feasible` with arrays: integral, within bounds, every row kept."""
        x = np.asarray(vals, dtype=float)
        if np.any(np.abs(x - np.round(x)) > tol) or np.any(x < self.lb - tol):
            return False
        if np.any(x > self.ub + tol):
            return False
        act = np.bincount(self.r, weights=self.a * x[self.c], minlength=len(self.row_lb))
        lo = self.row_lb - tol * np.maximum(1.0, np.abs(self.row_lb))
        hi = self.row_ub + tol * np.maximum(1.0, np.abs(self.row_ub))
        return bool(np.all(act >= lo) and np.all(act <= hi))

    def solve(
        self,
        free: Sequence[int],
        vals: Sequence[float],
        time_limit: float,
        seed: int = 0,
        work: float | None = None,
    ) -> Answer:
        """The best plan that changes only the columns ``free`` of ``vals`` (a feasible plan),
        as whole-matrix values; its objective is the sub-MIP's, without the fixed part."""
        n, m = len(self.lb), len(self.row_lb)
        cols = np.unique(np.asarray(free, dtype=np.int64))
        x = np.asarray(vals, dtype=float)
        mask = np.zeros(n, dtype=bool)
        mask[cols] = True
        on = mask[self.c]
        fixed = np.bincount(self.r[~on], weights=self.a[~on] * x[self.c[~on]], minlength=m)
        rows = np.unique(self.r[on])
        new_row = np.full(m, -1, dtype=np.int64)
        new_row[rows] = np.arange(len(rows))
        new_col = np.full(n, -1, dtype=np.int64)
        new_col[cols] = np.arange(len(cols))
        pr = model_pb2.ModelProto()
        pr.variables.ids.extend(range(len(cols)))
        pr.variables.lower_bounds.extend(self.lb[cols].tolist())
        pr.variables.upper_bounds.extend(self.ub[cols].tolist())
        pr.variables.integers.extend([True] * len(cols))
        cost = self.cost[cols]
        nz = np.nonzero(cost)[0]
        pr.objective.linear_coefficients.ids.extend(nz.tolist())
        pr.objective.linear_coefficients.values.extend(cost[nz].tolist())
        pr.linear_constraints.ids.extend(range(len(rows)))
        pr.linear_constraints.lower_bounds.extend((self.row_lb[rows] - fixed[rows]).tolist())
        pr.linear_constraints.upper_bounds.extend((self.row_ub[rows] - fixed[rows]).tolist())
        mat = pr.linear_constraint_matrix
        mat.row_ids.extend(new_row[self.r[on]].tolist())
        mat.column_ids.extend(new_col[self.c[on]].tolist())
        mat.coefficients.extend(self.a[on].tolist())
        ans = run_highs(pr, time_limit, hint=x[cols].tolist(), seed=seed, work=work)
        if ans.values is None:
            return ans
        full = x.copy()
        full[cols] = ans.values
        return replace(ans, values=full.tolist())
