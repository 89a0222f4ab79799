"""The optimiser: the only part of :mod:`routing` that imports a solver library (OR-Tools,
highspy). It takes a :class:`~routing.domain.model.Problem` and its
:class:`~routing.domain.options.Options` and returns a
:class:`~routing.domain.solution.Solution` with a proven bound."""

from routing.optimise.decompose import solve_decomposed
from routing.optimise.greedy import greedy
from routing.optimise.params import Deadline
from routing.optimise.solver import BACKENDS, Progress, SolveResult, solve

__all__ = ["BACKENDS", "Deadline", "Progress", "SolveResult", "greedy", "solve", "solve_decomposed"]
