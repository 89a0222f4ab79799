"""The back ends: one module each, every one a :class:`~routing.optimise.status.Backend`
that takes the neutral :class:`~routing.optimise.matrix.Matrix` and returns a
:class:`~routing.optimise.status.BackendResult`. Each silences its solver through the
solver's own options (never by redirecting the process's standard output).

* :mod:`.mathopt`: HiGHS through OR-Tools MathOpt's solver core (model and answer as protos),
  the plumbing the ``highs`` back end, the relaxation's fallback and the sub-MIPs share;
* :mod:`.highs`: the ``highs`` back end (HiGHS's MIP search, with a MIP start);
* :mod:`.mpsolver`: ``highs-lp`` and ``scip``, through OR-Tools' older ``pywraplp`` wrapper
  (one module: the two differ only in the solver's name and HiGHS's options);
* :mod:`.cpsat`: ``cp-sat``.
"""

from routing.optimise import cpsat, highs, mpsolver
from routing.optimise.status import Backend, BackendResult, Status

#: the back ends a caller names, each one module's ``solve``
REGISTRY: dict[str, Backend] = {
    "highs": highs.solve,
    "highs-lp": mpsolver.solve_highs_lp,
    "scip": mpsolver.solve_scip,
    "cp-sat": cpsat.solve,
}

__all__ = ["REGISTRY", "Backend", "BackendResult", "Status"]
