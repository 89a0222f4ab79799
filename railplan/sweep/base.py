"""The base of a sweep: its ``base:`` section read and checked, and the base problem built in
the driver (files are read here, once; workers get the problem, never a path)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import network
from railplan.sweep.params import Context, day, fields, number, whole
from railplan.sweep.spec import BaseSpec
from routing.api import make_problem, read_problem
from routing.domain.model import Problem
from routing.generate import SCALES, generate
from routing.io import InputError

KINDS = ("shipments", "generate", "ledger")
FILES = ("departures", "border_quota", "rates", "trucking")
BASE_KEYS = (*KINDS, *FILES, "scope", "network", "start", "days", "move_penalty")
SCOPES = ("shanxi", "national", "all")


def parse_base(ctx: Context, v: Any, folder: Path) -> BaseSpec | None:
    """The ``base:`` mapping: exactly one of ``shipments: FILE``, ``generate: {scale, seed,
    special}`` (or just the scale) and ``ledger: URL``; batch files are relative to the
    scenario file's folder."""
    path = ("base",)
    before = len(ctx.problems)
    if not fields(ctx, v, path, BASE_KEYS, ()):
        return None
    kinds = [k for k in KINDS if k in v]
    if len(kinds) != 1:
        ctx.say(path, f"expected exactly one of {', '.join(KINDS)} (found {len(kinds)})")
        return None
    kind = kinds[0]
    spec: dict[str, Any] = {"kind": kind}
    for k in (*FILES, "shipments", "network"):
        if k in v:
            spec[k] = _file(ctx, v[k], (*path, k), folder)
    if kind == "generate":
        spec.update(_generated(ctx, v["generate"], (*path, "generate")))
    if kind == "ledger":
        spec["ledger"] = str(v["ledger"])
        if "move_penalty" in v:
            spec["move_penalty"] = number(ctx, v["move_penalty"], (*path, "move_penalty"), 0.0, 1e7)
    if "scope" in v:
        if v["scope"] not in SCOPES:
            ctx.bad((*path, "scope"), v["scope"], f"one of {', '.join(SCOPES)}")
        spec["scope"] = v["scope"]
    if "start" in v:
        spec["start"] = day(ctx, v["start"], (*path, "start"))
    if "days" in v:
        spec["days"] = whole(ctx, v["days"], (*path, "days"), 1, 1100)
    if len(ctx.problems) > before:
        return None
    return BaseSpec(**spec)


def _file(ctx: Context, v: Any, path: tuple[str, ...], folder: Path) -> str:
    if not isinstance(v, str) or not v:
        ctx.bad(path, v, "a file name (relative to the scenario file)")
        return ""
    p = Path(v) if Path(v).is_absolute() else folder / v
    if not p.exists():
        ctx.say(path, f"{v!r}: no such file or folder ({p})")
    return str(p)


def _generated(ctx: Context, v: Any, path: tuple[str, ...]) -> dict[str, Any]:
    if isinstance(v, str):
        v = {"scale": v}
    if not fields(ctx, v, path, ("scale", "seed", "special"), ("scale",)):
        return {}
    out: dict[str, Any] = {"scale": v["scale"]}
    if v["scale"] not in SCALES:
        ctx.bad((*path, "scale"), v["scale"], f"one of {', '.join(SCALES)}")
    if "seed" in v:
        out["seed"] = whole(ctx, v["seed"], (*path, "seed"), 0, 2**31 - 1)
    if "special" in v:
        if not isinstance(v["special"], bool):
            ctx.bad((*path, "special"), v["special"], "true or false")
        out["special"] = bool(v["special"])
    out["scope"] = SCALES[v["scale"]].scope if v["scale"] in SCALES else "shanxi"
    return out


def load_network(spec: BaseSpec | None) -> network.Network:
    """The base's network (``base.network``, else the bundled one)."""
    return network.load(spec.network or None if spec is not None else None)


def build_base(spec: BaseSpec, net: network.Network) -> Problem:
    """The base problem; bad input files raise :class:`routing.io.InputError` (every
    problem of every file)."""
    if spec.kind == "generate":
        batch = generate(net, spec.scale, spec.seed, special=spec.special)
        problem = make_problem(
            batch.shipments, net, batch.departures, border_quota=batch.quota, scope=spec.scope
        )
        inputs = {**problem.inputs, "files": f"generated {spec.scale} seed {spec.seed}"}
        return dataclasses.replace(problem, inputs=inputs)
    if spec.kind == "ledger":
        return _ledger_problem(spec, net)
    return read_problem(
        spec.shipments,
        net,
        departures=spec.departures or None,
        rates=spec.rates or None,
        border_quota=spec.border_quota or None,
        trucking=spec.trucking or None,
        start=spec.start,
        days=spec.days,
        scope=spec.scope,
    )


def _ledger_problem(spec: BaseSpec, net: network.Network) -> Problem:
    """The ledger's confirmed bookings as lots on its running trains (as ``railplan replan``
    sees them), with its per-date quotas."""
    from railplan.ledger import Ledger
    from railplan.ledger.errors import LedgerError
    from railplan.ledger.planning import lots, running

    try:
        with Ledger(spec.ledger) as led:
            booked, _ = lots(led.bookings("confirmed"), move_penalty=spec.move_penalty)
            trains = running(led.departures())
            crossings = {(x.port, x.day): x.quota for x in led.crossings() if x.quota is not None}
    except LedgerError as e:  # a bad URL, a ledger not initialised or not reachable
        raise InputError(list(e.problems)) from None
    return make_problem(booked, net, trains, border_quota_by_date=crossings, scope=spec.scope)
