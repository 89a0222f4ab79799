"""What every back end is: a function from a matrix to a typed result."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from routing.optimise.matrix import Matrix

#: progress callback: (seconds since the start, best objective, best bound), in USD
Progress = Callable[[float, float, float], None]


class Status(enum.StrEnum):
    """How a solve ended (the strings are :attr:`SolveResult.status`'s)."""

    OPTIMAL = "optimal"  # proven optimal within the relative gap 1e-7
    FEASIBLE = "feasible"  # a plan, not proven optimal
    UNKNOWN = "unknown"  # no plan in time
    ERROR = "error"  # the solver failed, or proved the model infeasible


@dataclass(frozen=True, slots=True)
class BackendResult:
    status: Status
    values: list[float] | None  # column values of the best plan, if any
    bound: float  # proven lower bound on the objective (without the matrix's constant)


class Backend(Protocol):
    def __call__(
        self,
        mx: Matrix,
        hint: list[float] | None,
        time_limit: float,
        *,
        seed: int = 0,
        workers: int = 1,
        progress: Progress | None = None,
    ) -> BackendResult: ...
