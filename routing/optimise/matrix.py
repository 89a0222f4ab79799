"""The model in a neutral sparse form, as every back end and heuristic reads it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from routing.optimise.params import INF

#: a row of a linear model: (lower bound, upper bound, columns, coefficients)
Row = tuple[float, float, list[int], list[float]]


@dataclass
class Matrix:
    """A MIP in sparse row form; every column is integer."""

    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    rows: list[tuple[float, float, list[int], list[float]]] = field(default_factory=list)
    constant: float = 0.0

    def col(self, lb: float, ub: float, cost: float) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        return len(self.lb) - 1

    trivial_bound: float = 0.0

    def row(self, lb: float, ub: float, idx: Sequence[int], coef: Sequence[float]) -> None:
        self.rows.append((lb, ub, list(idx), [float(a) for a in coef]))

    def cost_of(self, vals: Sequence[float] | None) -> float:
        """The objective of column values ``vals`` (without :attr:`constant`); inf for None."""
        return INF if vals is None else sum(c * v for c, v in zip(self.cost, vals, strict=True))

    def feasible(self, vals: Sequence[float], tol: float = 1e-6) -> bool:
        """Integral ``vals`` within the bounds that satisfy every row."""
        for v, lb, ub in zip(vals, self.lb, self.ub, strict=True):
            if v < lb - tol or v > ub + tol or abs(v - round(v)) > tol:
                return False
        for lb, ub, idx, coef in self.rows:
            a = sum(c * vals[j] for j, c in zip(idx, coef, strict=True))
            if a < lb - tol * max(1.0, abs(lb)) or a > ub + tol * max(1.0, abs(ub)):
                return False
        return True
