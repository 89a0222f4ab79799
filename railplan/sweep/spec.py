"""The records of a sweep: what a scenario changes in the base, how each solve is stopped,
and the sweep itself. All frozen: they cross to Dask workers by pickle and back unchanged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from routing.domain.replan import Event

#: the countries a share of shipments avoids when a scenario gives none (RU/BY transit)
DEFAULT_AVOID = ("RU", "BY")


@dataclass(frozen=True, slots=True, kw_only=True)
class DemandRule:
    """Scale the containers of the shipments that match (every shipment when no filter is
    given) by ``factor``; filters: the shipment's corridor (of the departures that reach its
    destination), its customer, its destination."""

    factor: float
    corridor: str = ""
    customer: str = ""
    destination: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AvoidRule:
    """A ``share`` of the shipments (chosen by a hash of their ids: the same ones in every
    scenario, and a larger share holds every shipment of a smaller one) avoids ``countries``."""

    share: float
    countries: tuple[str, ...] = DEFAULT_AVOID


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtraDeparture:
    """One more train: a copy of base departure ``like`` leaving on ``date``."""

    like: str
    date: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Changes:
    """What a scenario changes in the base problem (empty: the base itself)."""

    demand: tuple[DemandRule, ...] = ()
    avoid: AvoidRule | None = None
    #: the re-planning events of :mod:`routing.domain.replan` (trains cancelled or delayed,
    #: ports closed, quotas set on dates)
    events: tuple[Event, ...] = ()
    #: port -> trains per day on every date (a second daily slot at Erenhot: ``erenhot: 2``)
    border_quota: tuple[tuple[str, int], ...] = ()
    extra_departures: tuple[ExtraDeparture, ...] = ()
    carbon_price: float | None = None
    unassigned_penalty: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SolveSettings:
    """How a scenario's solve stops: ``work_limit`` (deterministic, when the optimiser has
    one) else ``time_limit`` seconds; ``threads`` solver threads (set explicitly so that Dask
    workers do not oversubscribe the cores)."""

    time_limit: float = 10.0
    work_limit: float | None = None
    seed: int = 0
    threads: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """One what-if: its id (a folder name), each parameter's value as written (the table's
    parameter columns), the changes and the solve settings."""

    scenario_id: str
    labels: tuple[tuple[str, str], ...]
    changes: Changes
    solve: SolveSettings


@dataclass(frozen=True, slots=True, kw_only=True)
class BaseSpec:
    """The base every scenario changes: a batch file, a generated batch or the ledger's
    confirmed bookings; paths are resolved against the scenario file's folder."""

    kind: str  # shipments | generate | ledger
    shipments: str = ""
    departures: str = ""
    border_quota: str = ""
    rates: str = ""
    trucking: str = ""
    scale: str = ""
    seed: int = 0
    special: bool = True
    ledger: str = ""
    move_penalty: float = 0.0
    scope: str = "shanxi"
    network: str = ""
    start: dt.date | None = None
    days: int | None = None

    def describe(self) -> str:
        """One line for people: what the base is."""
        if self.kind == "generate":
            return f"generated {self.scale} seed {self.seed}" + (" (special)" * self.special)
        if self.kind == "ledger":
            return f"ledger {self.ledger}"
        return f"batch {Path(self.shipments).name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Sweep:
    """A scenario file, read and checked: its name, base, default settings and scenarios
    (the base scenario first)."""

    name: str
    source: str
    base: BaseSpec
    solve: SolveSettings
    scenarios: tuple[Scenario, ...]
    #: the parameters any scenario sets, in the table's column order
    parameters: tuple[str, ...] = field(default=())
