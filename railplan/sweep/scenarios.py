"""A scenario file read and checked (see README, "Scenario sweeps"): the base, the default
solve settings, the defaults every scenario starts from, listed scenarios and grids (the
cartesian product of parameter values). Every problem names the file's line; nothing runs
while one is left."""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import network
from railplan.sweep.base import build_base, load_network, parse_base
from railplan.sweep.params import (
    EVENT_PARAMETERS,
    PARSERS,
    BaseFacts,
    Context,
    fields,
    label,
    whole,
)
from railplan.sweep.spec import Changes, Scenario, SolveSettings, Sweep
from railplan.sweep.task import supports_work_limit
from railplan.sweep.yamlfile import Path_, load
from routing.domain.model import Problem
from routing.io import InputError

TOP_KEYS = ("name", "base", "solve", "defaults", "scenarios", "grid")
SOLVE_KEYS = ("time_limit", "work_limit", "seed", "threads")
#: the most scenarios one file may describe
MAX_SCENARIOS = 10_000
SCENARIO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
BASE_ID = "base"

#: a parameter's parsed value and its value as written
Parsed = dict[str, tuple[Any, Any]]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Loaded:
    """A sweep ready to run: the checked file, its network and its base problem."""

    sweep: Sweep
    net: network.Network
    problem: Problem


def read_sweep(path: str | Path) -> Loaded:
    """Read ``path``, build its base and check every scenario against it; every problem of
    the file raises one :class:`InputError` line each (``FILE: line N: key: ...``)."""
    doc = load(path)
    top = doc.data
    ctx = Context(doc=doc, net=network.load(), facts=None)
    if not fields(ctx, top, (), TOP_KEYS, ("base",)):
        raise InputError(ctx.problems)
    spec = parse_base(ctx, top["base"], Path(path).resolve().parent)
    problem = None
    if spec is not None:
        ctx.net = load_network(spec)
        try:
            problem = build_base(spec, ctx.net)
        except InputError as e:
            ctx.problems += [f"{doc.name}: base: {p}" for p in e.problems]
    ctx.facts = BaseFacts.of(problem) if problem is not None else None
    solve = _solve(ctx, top.get("solve", {}))
    scenarios = list(_scenarios(ctx, top, solve))
    if len(scenarios) > MAX_SCENARIOS:
        ctx.say(("grid",), f"{len(scenarios)} scenarios: expected at most {MAX_SCENARIOS}")
    if ctx.problems or spec is None or problem is None:
        raise InputError(ctx.problems)
    name = str(top.get("name") or Path(path).stem)
    params = tuple(p for p in PARSERS if any(p in dict(s.labels) for s in scenarios))
    sweep = Sweep(
        name=name,
        source=str(path),
        base=spec,
        solve=solve,
        scenarios=tuple(scenarios),
        parameters=params,
    )
    return Loaded(sweep=sweep, net=ctx.net, problem=problem)


def _solve(ctx: Context, v: Any) -> SolveSettings:
    """The ``solve:`` defaults (every scenario may override time_limit, work_limit, seed)."""
    if not fields(ctx, v, ("solve",), SOLVE_KEYS, ()):
        return SolveSettings()
    parsed = {
        k: _one(ctx, k, v[k], ("solve", k)) for k in ("time_limit", "work_limit", "seed") if k in v
    }
    out = _settings(SolveSettings(), {k: (p, v[k]) for k, p in parsed.items()})
    if "threads" in v:
        n = whole(ctx, v["threads"], ("solve", "threads"), 1, 64)
        out = dataclasses.replace(out, threads=n or 1)
    return out


def _one(ctx: Context, name: str, raw: Any, path: Path_) -> Any:
    """One parameter's value, parsed (a problem recorded when it is bad)."""
    if name not in PARSERS:
        close = difflib.get_close_matches(name, list(PARSERS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        ctx.say(path, f"unknown parameter {name!r}{hint} (expected one of {', '.join(PARSERS)})")
        return None
    value = PARSERS[name](ctx, raw, path)
    if name == "work_limit" and value is not None and not supports_work_limit():
        ctx.say(
            path,
            "this railplan's optimiser has no deterministic work limit yet "
            "(routing.api.solve_problem takes no work_limit); use time_limit",
        )
    return value


def _params(ctx: Context, v: Any, path: Path_, skip: tuple[str, ...] = ()) -> Parsed:
    """A mapping of parameters, each parsed."""
    if not isinstance(v, dict):
        ctx.bad(path, v, "a mapping of parameter to value")
        return {}
    return {k: (_one(ctx, k, raw, (*path, k)), raw) for k, raw in v.items() if k not in skip}


def _scenarios(ctx: Context, top: Mapping[str, Any], solve: SolveSettings) -> Iterator[Scenario]:
    """The base scenario (the defaults alone), the listed scenarios, then every grid's."""
    defaults = _params(ctx, top.get("defaults", {}), ("defaults",))
    yield _scenario(BASE_ID, defaults, solve)
    seen: dict[str, Path_] = {}
    for i, item in enumerate(_list(ctx, top.get("scenarios", []), ("scenarios",))):
        path: Path_ = ("scenarios", i)
        sid = item.get("id") if isinstance(item, dict) else None
        params = _params(ctx, item, path, skip=("id",))
        if not isinstance(sid, str) or not SCENARIO_ID.fullmatch(sid):
            ctx.bad((*path, "id"), sid, "an id of letters, digits, '.', '_' or '-' (up to 64)")
        elif sid == BASE_ID or re.fullmatch(r"g\d+", sid):
            ctx.bad(
                (*path, "id"),
                sid,
                "an id other than base and g<number> (the base's and the grids')",
            )
        elif sid in seen:
            line = ctx.doc.line((*seen[sid], "id"))
            ctx.say((*path, "id"), f"duplicate scenario id {sid!r} (also on line {line})")
        else:
            seen[sid] = path
            yield _scenario(sid, {**defaults, **params}, solve)
    grids = top.get("grid")
    grid_list = grids if isinstance(grids, list) else ([grids] if grids is not None else [])
    combos = []
    for g, grid in enumerate(grid_list):
        combos += list(_grid(ctx, grid, ("grid", g) if isinstance(grids, list) else ("grid",)))
    width = max(3, len(str(len(combos))))
    for n, combo in enumerate(combos, start=1):
        yield _scenario(f"g{n:0{width}d}", {**defaults, **combo}, solve)


def _list(ctx: Context, v: Any, path: Path_) -> list[Any]:
    if not isinstance(v, list):
        ctx.bad(path, v, "a list of scenarios, each a mapping with an id")
        return []
    return v


def _grid(ctx: Context, grid: Any, path: Path_) -> Iterator[Parsed]:
    """The cartesian product of one grid: ``{parameter: [value, ...], ...}``."""
    if not isinstance(grid, dict) or not grid:
        ctx.bad(path, grid, "a mapping of parameter to a list of values")
        return
    axes: list[list[tuple[str, Any, Any]]] = []
    ok = True
    for k, values in grid.items():
        if not isinstance(values, list) or not values:
            ctx.bad((*path, k), values, "a non-empty list of values (one per scenario)")
            ok = False
            continue
        axes.append([(k, _one(ctx, k, raw, (*path, k, i)), raw) for i, raw in enumerate(values)])
    if not ok:
        return
    total = math.prod(len(a) for a in axes)
    if total > MAX_SCENARIOS:
        ctx.say(path, f"{total} scenarios: expected at most {MAX_SCENARIOS}")
        return
    for combo in itertools.product(*axes):
        yield {k: (parsed, raw) for k, parsed, raw in combo}


def _settings(solve: SolveSettings, parsed: Parsed) -> SolveSettings:
    changes = {k: parsed[k][0] for k in ("time_limit", "work_limit", "seed") if k in parsed}
    if "time_limit" in changes and changes["time_limit"] is None:
        del changes["time_limit"]
    if "seed" in changes and changes["seed"] is None:
        del changes["seed"]
    return dataclasses.replace(solve, **changes)


def _scenario(sid: str, parsed: Parsed, solve: SolveSettings) -> Scenario:
    """A scenario of parsed parameters (bad ones already reported: the sweep will not run)."""

    def get(name: str, empty: Any = None) -> Any:
        value = parsed.get(name, (None, None))[0]
        return empty if value is None else value

    events = tuple(ev for p in EVENT_PARAMETERS for ev in get(p, ()))
    changes = Changes(
        demand=get("demand", ()),
        avoid=get("avoid"),
        events=events,
        border_quota=get("border_quota", ()),
        extra_departures=get("extra_departures", ()),
        carbon_price=get("carbon_price"),
        unassigned_penalty=get("unassigned_penalty"),
    )
    labels = tuple((p, label(parsed[p][1])) for p in PARSERS if p in parsed)
    return Scenario(scenario_id=sid, labels=labels, changes=changes, solve=_settings(solve, parsed))
