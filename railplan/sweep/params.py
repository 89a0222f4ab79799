"""The parameters a scenario may set, each read and checked by one function that names the
file's line for every problem (:class:`Context`). A parser returns the parameter's value in
the records of :mod:`railplan.sweep.spec`, or None after recording its problems."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import network
from network.rows import parse_date
from railplan.sweep.spec import DEFAULT_AVOID, AvoidRule, DemandRule, ExtraDeparture
from railplan.sweep.yamlfile import Document, Path_
from routing.domain.model import MAX_UNASSIGNED_PENALTY_PER_TEU, Problem
from routing.domain.replan import CancelTrain, ClosePort, DelayTrain, SetQuota

#: the largest demand factor (ten times the base)
MAX_FACTOR = 10.0
#: the longest quota window of one entry, days
MAX_QUOTA_DAYS = 366
MAX_CARBON_PRICE = 100_000.0
MAX_TIME_LIMIT = 86_400.0
COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True, slots=True, kw_only=True)
class BaseFacts:
    """What a scenario may name in the base: its departures, corridors, customers and
    destinations (an empty set: not known, not checked)."""

    departures: frozenset[str] = frozenset()
    corridors: frozenset[str] = frozenset()
    customers: frozenset[str] = frozenset()
    destinations: frozenset[str] = frozenset()

    @staticmethod
    def of(problem: Problem) -> BaseFacts:
        return BaseFacts(
            departures=frozenset(d.departure_id for d in problem.departures),
            corridors=frozenset(d.corridor for d in problem.departures if d.corridor),
            customers=frozenset(s.customer for s in problem.shipments if s.customer),
            destinations=frozenset(s.destination for s in problem.shipments),
        )


@dataclass(slots=True)
class Context:
    """Where parsing reports: the document (for line numbers), the network, the base's
    facts (None: the base could not be read, so names in it are not checked)."""

    doc: Document
    net: network.Network
    facts: BaseFacts | None
    problems: list[str] = field(default_factory=list)

    def bad(self, path: Path_, value: Any, expected: str) -> None:
        self.problems.append(f"{self.doc.where(path)}: {show(value)}: expected {expected}")

    def say(self, path: Path_, message: str) -> None:
        self.problems.append(f"{self.doc.where(path)}: {message}")


def show(value: Any) -> str:
    return repr(value.isoformat() if isinstance(value, dt.date) else value)


def label(value: Any) -> str:
    """A parameter's value as the table shows it: ``1.2``, ``a; b``, ``share=0.33 ...``."""
    if isinstance(value, dict):
        return " ".join(f"{k}={label(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(label(v) for v in value) if value else "none"
    if value is None:
        return "none"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def number(
    ctx: Context, v: Any, path: Path_, low: float, high: float, *, open_: bool = False
) -> float | None:
    """A finite number from ``low`` (excluded with ``open_``) to ``high``."""
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    if ok and (v > low if open_ else v >= low) and v <= high:
        return float(v)
    ctx.bad(path, v, f"a number {'over' if open_ else 'from'} {low:g} to {high:g}")
    return None


def whole(ctx: Context, v: Any, path: Path_, low: int, high: int) -> int | None:
    if isinstance(v, int) and not isinstance(v, bool) and low <= v <= high:
        return v
    ctx.bad(path, v, f"a whole number from {low} to {high}")
    return None


def day(ctx: Context, v: Any, path: Path_) -> dt.date | None:
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        v = v.isoformat()
    try:
        return parse_date(str(v))
    except ValueError as e:
        ctx.bad(path, v, str(e))
        return None


def items(v: Any) -> list[Any]:
    """A list-valued parameter: one value alone is a list of one; ``none``, null and ``[]``
    are empty."""
    if v is None or v == "none":
        return []
    return list(v) if isinstance(v, list) else [v]


def port(ctx: Context, v: Any, path: Path_) -> str | None:
    """A border port of the network, by id or name."""
    try:
        pid = ctx.net.resolve(str(v))
    except network.UnknownPlaceError as e:
        ctx.say(path, str(e))
        return None
    if ctx.net.nodes[pid].kind != "border":
        ctx.bad(path, v, "a border port of the network")
        return None
    return pid


def known(ctx: Context, v: Any, path: Path_, what: str, pool: frozenset[str]) -> str | None:
    """A name the base must hold (departure, corridor, customer); not checked without it."""
    if not isinstance(v, str) or not v:
        ctx.bad(path, v, f"a {what}")
        return None
    if ctx.facts is not None and pool and v not in pool:
        close = difflib.get_close_matches(v, sorted(pool), n=2, cutoff=0.6)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        ctx.say(path, f"unknown {what} {v!r} in the base{hint}")
        return None
    return v


def fields(
    ctx: Context, v: Any, path: Path_, allowed: tuple[str, ...], need: tuple[str, ...]
) -> bool:
    """A mapping with only ``allowed`` keys and every key of ``need``."""
    if not isinstance(v, dict):
        ctx.bad(path, v, f"a mapping with {', '.join(allowed)}")
        return False
    ok = True
    for k in v:
        if k not in allowed:
            close = difflib.get_close_matches(str(k), allowed, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            ctx.say((*path, k), f"unknown key {k!r}; {hint}expected one of {', '.join(allowed)}")
            ok = False
    for k in need:
        if k not in v:
            ctx.say(path, f"missing key {k!r}")
            ok = False
    return ok


def facts_of(ctx: Context) -> BaseFacts:
    return ctx.facts or BaseFacts()


def parse_demand(ctx: Context, v: Any, path: Path_) -> tuple[DemandRule, ...] | None:
    """``1.2`` (every shipment), or rules ``{factor, corridor | customer | destination}``."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        f = number(ctx, v, path, 0.0, MAX_FACTOR)
        return None if f is None else (DemandRule(factor=f),)
    rules = []
    for i, r in enumerate(items(v)):
        p = (*path, i) if isinstance(v, list) else path
        if not fields(ctx, r, p, ("factor", "corridor", "customer", "destination"), ("factor",)):
            return None
        f = number(ctx, r["factor"], (*p, "factor"), 0.0, MAX_FACTOR)
        fx = facts_of(ctx)
        corridor = (
            known(ctx, r["corridor"], (*p, "corridor"), "corridor", fx.corridors)
            if "corridor" in r
            else ""
        )
        customer = (
            known(ctx, r["customer"], (*p, "customer"), "customer", fx.customers)
            if "customer" in r
            else ""
        )
        dest = ""
        if "destination" in r:
            try:
                dest = ctx.net.resolve(str(r["destination"]))
            except network.UnknownPlaceError as e:
                ctx.say((*p, "destination"), str(e))
                dest = None  # type: ignore[assignment]
        if f is None or corridor is None or customer is None or dest is None:
            return None
        rules.append(DemandRule(factor=f, corridor=corridor, customer=customer, destination=dest))
    return tuple(rules)


def parse_avoid(ctx: Context, v: Any, path: Path_) -> AvoidRule | None:
    """``0.33`` (a third avoids RU and BY) or ``{share, countries: [RU, BY]}``."""
    if not isinstance(v, dict):
        s = number(ctx, v, path, 0.0, 1.0)
        return None if s is None else AvoidRule(share=s)
    if not fields(ctx, v, path, ("share", "countries"), ("share",)):
        return None
    s = number(ctx, v["share"], (*path, "share"), 0.0, 1.0)
    codes = tuple(str(c).upper() for c in items(v.get("countries", list(DEFAULT_AVOID))))
    bad = [c for c in codes if not COUNTRY.fullmatch(c)]
    if bad or not codes:
        ctx.bad((*path, "countries"), v.get("countries"), "ISO 3166 alpha-2 codes like [RU, BY]")
        return None
    return None if s is None else AvoidRule(share=s, countries=codes)


def parse_cancel(ctx: Context, v: Any, path: Path_) -> tuple[CancelTrain, ...] | None:
    """Departure ids of the base, one or a list."""
    out = []
    for i, d in enumerate(items(v)):
        p = (*path, i) if isinstance(v, list) else path
        dep = known(ctx, d, p, "departure", facts_of(ctx).departures)
        if dep is None:
            return None
        out.append(CancelTrain(dep))
    return tuple(out)


def _parts(ctx: Context, v: Any, path: Path_, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """``A:B:C`` text or a mapping of ``keys``: the parts by key."""
    if isinstance(v, dict):
        return v if fields(ctx, v, path, keys, keys) else None
    parts = str(v).split(":") if isinstance(v, str) else []
    if len(parts) != len(keys):
        ctx.bad(path, v, ":".join(k.upper() for k in keys) + f" or a mapping of {', '.join(keys)}")
        return None
    return dict(zip(keys, parts, strict=True))


def parse_close(ctx: Context, v: Any, path: Path_) -> tuple[ClosePort, ...] | None:
    """``PORT:FROM:TO`` or ``{port, from, to}``: no train passes the port on those days."""
    out = []
    for i, c in enumerate(items(v)):
        p = (*path, i) if isinstance(v, list) else path
        parts = _parts(ctx, c, p, ("port", "from", "to"))
        if parts is None:
            return None
        pid, a, b = (
            port(ctx, parts["port"], p),
            day(ctx, parts["from"], p),
            day(ctx, parts["to"], p),
        )
        if pid is None or a is None or b is None:
            return None
        if b < a:
            ctx.bad(p, c, f"a last day on or after {a}")
            return None
        out.append(ClosePort(pid, a, b))
    return tuple(out)


def parse_quota(ctx: Context, v: Any, path: Path_) -> tuple[SetQuota, ...] | None:
    """``PORT:DATE:N`` or ``{port, from, to, trains}``: the port's trains per day on those
    dates (a quota cut over dates)."""
    out: list[SetQuota] = []
    for i, q in enumerate(items(v)):
        p = (*path, i) if isinstance(v, list) else path
        if isinstance(q, dict):
            parts = (
                q
                if fields(
                    ctx, q, p, ("port", "from", "to", "trains"), ("port", "from", "to", "trains")
                )
                else None
            )
        else:
            parts = _parts(ctx, q, p, ("port", "date", "trains"))
            if parts is not None:
                parts = {**parts, "from": parts["date"], "to": parts["date"]}
        if parts is None:
            return None
        n = parts["trains"]
        n = int(n) if isinstance(n, str) and n.isdigit() else n
        pid, a, b = (
            port(ctx, parts["port"], p),
            day(ctx, parts["from"], p),
            day(ctx, parts["to"], p),
        )
        trains = whole(ctx, n, p, 0, 1000)
        if pid is None or a is None or b is None or trains is None:
            return None
        if not 0 <= (b - a).days < MAX_QUOTA_DAYS:
            ctx.bad(p, q, f"a window of 1 to {MAX_QUOTA_DAYS} days from {a}")
            return None
        out += [SetQuota(pid, a + dt.timedelta(days=k), trains) for k in range((b - a).days + 1)]
    return tuple(out)


def parse_delay(ctx: Context, v: Any, path: Path_) -> tuple[DelayTrain, ...] | None:
    """``DEPARTURE:DAYS`` or ``{train, days}``."""
    out = []
    for i, d in enumerate(items(v)):
        p = (*path, i) if isinstance(v, list) else path
        parts = _parts(ctx, d, p, ("train", "days"))
        if parts is None:
            return None
        n = parts["days"]
        n = int(n) if isinstance(n, str) and re.fullmatch(r"-?\d{1,4}", n) else n
        dep, days = (
            known(ctx, parts["train"], p, "departure", facts_of(ctx).departures),
            whole(ctx, n, p, -30, 365),
        )
        if dep is None or days is None:
            return None
        out.append(DelayTrain(dep, days))
    return tuple(out)


def parse_border_quota(ctx: Context, v: Any, path: Path_) -> tuple[tuple[str, int], ...] | None:
    """``{PORT: trains per day}`` on every date."""
    if not isinstance(v, dict) or not v:
        ctx.bad(path, v, "a mapping of border port to trains per day, e.g. {erenhot: 2}")
        return None
    out = []
    for k, n in v.items():
        pid, trains = port(ctx, k, (*path, k)), whole(ctx, n, (*path, k), 0, 1000)
        if pid is None or trains is None:
            return None
        out.append((pid, trains))
    return tuple(out)


def parse_extra(ctx: Context, v: Any, path: Path_) -> tuple[ExtraDeparture, ...] | None:
    """``{like: DEPARTURE, date: YYYY-MM-DD}`` (one or a list): one more train of that
    departure's service, route and price, on that date."""
    out = []
    for i, e in enumerate(items(v)):
        p = (*path, i) if isinstance(v, list) else path
        if not fields(ctx, e, p, ("like", "date"), ("like", "date")):
            return None
        like = known(ctx, e["like"], (*p, "like"), "departure", facts_of(ctx).departures)
        when = day(ctx, e["date"], (*p, "date"))
        if like is None or when is None:
            return None
        out.append(ExtraDeparture(like=like, date=when))
    return tuple(out)


def _range(
    low: float, high: float, *, open_: bool = False
) -> Callable[[Context, Any, Path_], float | None]:
    def parse(ctx: Context, v: Any, path: Path_) -> float | None:
        return number(ctx, v, path, low, high, open_=open_)

    return parse


def parse_work_limit(ctx: Context, v: Any, path: Path_) -> float | None:
    return None if v is None else number(ctx, v, path, 0.0, 1e12, open_=True)


def parse_seed(ctx: Context, v: Any, path: Path_) -> int | None:
    return whole(ctx, v, path, 0, 2**31 - 1)


#: parameter -> its parser, in the table's column order
PARSERS: dict[str, Callable[[Context, Any, Path_], Any]] = {
    "demand": parse_demand,
    "avoid": parse_avoid,
    "cancel_train": parse_cancel,
    "close_port": parse_close,
    "quota": parse_quota,
    "delay_train": parse_delay,
    "border_quota": parse_border_quota,
    "extra_departures": parse_extra,
    "carbon_price": _range(0.0, MAX_CARBON_PRICE),
    "unassigned_penalty": _range(0.0, MAX_UNASSIGNED_PENALTY_PER_TEU),
    "time_limit": _range(0.0, MAX_TIME_LIMIT, open_=True),
    "work_limit": parse_work_limit,
    "seed": parse_seed,
}
#: the parameters that are lists of events (a grid value may be one event or a list)
EVENT_PARAMETERS = ("cancel_train", "close_port", "quota", "delay_train")
