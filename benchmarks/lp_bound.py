"""The LP bound of a bench case: the linear relaxation of the reference formulation, solved by
standalone HiGHS, computed once per case and cached.

The formulation is that of :mod:`benchmarks.reference` (one column per option, the strong
linking rows), relaxed. With ``x_o`` the containers of option ``o`` (or, for a no-split lot,
the share ``y_o`` of its ``n_s`` containers, ``m_o = n_s``; else ``m_o = 1``), ``r_t`` the
train's run variable and ``u_s`` the containers left::

    min  sum_o c_o m_o x_o + sum_t f_t r_t + sum_s P teu_s u_s
    s.t. sum_{o in s} m_o x_o + u_s = n_s                       (every container once)
         sum_{o on t} teu_o m_o x_o <= cap_t r_t                 (TEU; also tonnes, plugs)
         sum_{o on t} teu_o m_o x_o >= min_t r_t                 (minimum load)
         x_o <= ub_o r_t                                         (strong linking)
         sum_{t crossing p on day d} r_t <= q_{p,d}              (border quotas)
         0 <= x_o <= ub_o,  0 <= r_t <= 1,  0 <= u_s <= n_s

Its optimum is a lower bound on every plan's objective. The options (which pairs are feasible,
at what cost per container) are :func:`routing.domain.options.build_options`'s, the same as
the optimiser's; the LP is built and solved here, apart from the optimiser's model code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import highspy
import numpy as np
import numpy.typing as npt

from routing.domain.costs import move_offset
from routing.domain.model import Problem
from routing.domain.options import build_options

#: LPs with more columns than this go to HiGHS's interior point method (with crossover);
#: measured on dense 100x1000 (101,100 columns): dual simplex 34 s, interior point 84 s
IPM_COLUMNS = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class LPBound:
    """An LP bound, how it was obtained and how long it took (seconds, building included)."""

    bound: float
    status: str
    method: str
    seconds: float
    columns: int
    rows: int


class _Rows:
    """Rows collected as COO triplets, handed to HiGHS as CSR."""

    def __init__(self) -> None:
        self.r: list[npt.NDArray[np.int64]] = []
        self.c: list[npt.NDArray[np.int64]] = []
        self.v: list[npt.NDArray[np.float64]] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, cols: npt.ArrayLike, vals: npt.ArrayLike, lo: float, hi: float) -> None:
        c = np.asarray(cols, dtype=np.int64)
        self.r.append(np.full(len(c), len(self.lo), dtype=np.int64))
        self.c.append(c)
        self.v.append(np.asarray(vals, dtype=np.float64))
        self.lo.append(lo)
        self.hi.append(hi)

    def add_many(
        self, rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64], vals: npt.ArrayLike
    ) -> None:
        """Rows ``len(lo) + rows`` (numbered from 0 here), each ``<= 0``."""
        n = int(rows.max()) + 1 if len(rows) else 0
        self.r.append(rows + len(self.lo))
        self.c.append(cols)
        self.v.append(np.asarray(vals, dtype=np.float64))
        self.lo += [-highspy.kHighsInf] * n
        self.hi += [0.0] * n

    def csr(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        r, c, v = (np.concatenate(x) for x in (self.r, self.c, self.v))
        order = np.argsort(r, kind="stable")
        counts = np.bincount(r, minlength=len(self.lo))
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int32)
        return starts, c[order].astype(np.int32), v[order].astype(np.float64)


def _train_rows(p: Problem, rows: _Rows, arrays: dict[str, npt.NDArray[np.float64]]) -> None:
    """TEU, tonnes, plugs and minimum load of every train; the run column of train ``t`` is
    ``n_opt + t``."""
    t_of = arrays["t"].astype(np.int64)
    n_opt = len(t_of)
    order = np.argsort(t_of, kind="stable")
    bounds = np.searchsorted(t_of[order], np.arange(len(p.departures) + 1))
    inf = highspy.kHighsInf
    for t, d in enumerate(p.departures):
        js = order[bounds[t] : bounds[t + 1]]
        cols, mult = np.append(js, n_opt + t), arrays["mult"][js]
        teu = arrays["teu"][js] * mult
        rows.add(cols, np.append(teu, -float(d.capacity_teu)), -inf, 0.0)
        if d.min_load_teu:
            rows.add(cols, np.append(teu, -float(d.min_load_teu)), 0.0, inf)
        if d.max_gross_t is not None:
            rows.add(cols, np.append(arrays["gross"][js] * mult, -d.max_gross_t), -inf, 0.0)
        plug = arrays["reefer"][js] * mult
        if plug.any():
            rows.add(cols, np.append(plug, -float(d.reefer_plugs)), -inf, 0.0)


def _quota_rows(p: Problem, rows: _Rows, run0: int) -> None:
    crossing: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for t, d in enumerate(p.departures):
        if d.border_port:
            crossing[
                (d.border_port, d.depart_date + dt.timedelta(days=d.border_offset_days))
            ].append(t)
    for (port, day), ts in sorted(crossing.items()):
        q = p.quota_for(port, day)
        if q is not None and len(ts) > q:
            rows.add([run0 + t for t in ts], [1.0] * len(ts), -highspy.kHighsInf, float(q))


def _option_arrays(p: Problem) -> dict[str, npt.NDArray[np.float64]]:
    opts = build_options(p).options
    ships = p.shipments
    s = np.fromiter((o.s for o in opts), dtype=np.int64, count=len(opts))
    split = np.array([sh.split for sh in ships], dtype=bool)[s]
    n = np.array([sh.containers for sh in ships], dtype=np.float64)[s]
    mult = np.where(split, 1.0, n)
    return {
        "s": s.astype(np.float64),
        "t": np.fromiter((o.t for o in opts), dtype=np.float64, count=len(opts)),
        "ub": np.where(split, np.fromiter((o.max_containers for o in opts), dtype=np.float64), 1.0),
        "cost": np.fromiter((o.cost_per_container for o in opts), dtype=np.float64) * mult,
        "mult": mult,
        "teu": np.array([sh.teu_per_container for sh in ships], dtype=np.float64)[s],
        "gross": np.array([sh.gross_t for sh in ships], dtype=np.float64)[s],
        "reefer": np.array([float(sh.reefer) for sh in ships], dtype=np.float64)[s],
    }


def lp_bound(p: Problem, *, time_limit: float = 3600.0, threads: int = 2) -> LPBound:
    """The LP relaxation's optimum of ``p`` (see the module's docstring), by HiGHS's dual
    simplex, or its interior point method with crossover above :data:`IPM_COLUMNS` columns."""
    t0 = time.perf_counter()
    a = _option_arrays(p)
    n_opt, n_dep, n_ship = len(a["s"]), len(p.departures), len(p.shipments)
    run0, u0 = n_opt, n_opt + n_dep
    teu_s = np.array([sh.teu_per_container for sh in p.shipments], dtype=np.float64)
    cost = np.concatenate(
        (a["cost"], [d.fixed_cost for d in p.departures], teu_s * p.unassigned_penalty_per_teu)
    )
    upper = np.concatenate((a["ub"], np.ones(n_dep), [float(sh.containers) for sh in p.shipments]))
    rows = _Rows()
    s_of, t_of = a["s"].astype(np.int64), a["t"].astype(np.int64)
    order = np.argsort(s_of, kind="stable")
    bounds = np.searchsorted(s_of[order], np.arange(n_ship + 1))
    for s, sh in enumerate(p.shipments):
        js = order[bounds[s] : bounds[s + 1]]
        rows.add(np.append(js, u0 + s), np.append(a["mult"][js], 1.0), sh.containers, sh.containers)
    _train_rows(p, rows, a)
    idx = np.arange(n_opt, dtype=np.int64)
    rows.add_many(
        np.repeat(idx, 2),
        np.stack((idx, run0 + t_of), 1).ravel(),
        np.stack((np.ones(n_opt), -a["ub"]), 1).ravel(),
    )
    _quota_rows(p, rows, run0)
    method = "interior point + crossover" if len(cost) > IPM_COLUMNS else "dual simplex"
    h = _highs(time_limit, threads, "ipm" if len(cost) > IPM_COLUMNS else "simplex")
    h.addCols(
        len(cost), cost, np.zeros(len(cost)), upper, 0, np.array([]), np.array([]), np.array([])
    )
    starts, index, value = rows.csr()
    h.addRows(len(rows.lo), np.array(rows.lo), np.array(rows.hi), len(index), starts, index, value)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    obj = h.getInfo().objective_function_value + move_offset(p.shipments)
    bound = float(obj) if status == "Optimal" else float("nan")
    return LPBound(
        bound=bound,
        status=status,
        method=f"LP relaxation, HiGHS {method}",
        seconds=time.perf_counter() - t0,
        columns=len(cost),
        rows=len(rows.lo),
    )


def _highs(time_limit: float, threads: int, solver: str) -> highspy.Highs:
    highspy.Highs.resetGlobalScheduler(True)
    h = highspy.Highs()
    for k, v in (
        ("output_flag", False),
        ("log_to_console", False),
        ("time_limit", float(time_limit)),
        ("threads", threads),
        ("solver", solver),
    ):
        h.setOptionValue(k, v)
    return h


def fingerprint(*parts: str | Path) -> str:
    """SHA-256 over texts and the bytes of files: what a cached bound depends on."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.read_bytes() if isinstance(part, Path) else part.encode())
        h.update(b"\0")
    return h.hexdigest()


def cached(
    folder: Path, key: str, digest: str, compute: Callable[[], LPBound]
) -> tuple[LPBound, bool]:
    """The bound cached as ``folder/key.json`` if its digest is ``digest``, else ``compute()``
    (written there when it is optimal); and whether it came from the cache."""
    path = folder / f"{key}.json"
    if path.is_file():
        try:
            rec = json.loads(path.read_text())
            if rec.pop("digest") == digest:
                return LPBound(**rec), True
        except (ValueError, KeyError, TypeError):
            pass  # a damaged or older record: computed again
    result = compute()
    if result.status != "Optimal":  # not a bound to keep: computed again next time
        return result, False
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**asdict(result), "digest": digest}, indent=1))
    tmp.replace(path)
    return result, False
