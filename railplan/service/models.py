"""The request and response bodies of the API (pydantic models: they make the OpenAPI
schema that clients and the schemathesis run read)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from routing.domain.replan import DEFAULT_MOVE_PENALTY_PER_CONTAINER

Cell = str | int | float | bool | None
Row = dict[str, Cell]


def _iso_text(v: Any) -> Any:
    """Only ``YYYY-MM-DD`` text is a date here (pydantic would take 0 as 1970-01-01)."""
    if isinstance(v, dt.date):
        return v
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise ValueError("expected a date YYYY-MM-DD")
    return v


#: a date given as ``YYYY-MM-DD`` text (format ``date`` in the schema)
IsoDate = Annotated[dt.date, BeforeValidator(_iso_text)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanBatch(_Model):
    """A batch as JSON: each table a list of rows with the columns of its file
    (``shipments.csv`` and the optional ``departures.csv``, ``rates.csv``,
    ``border_quota.csv``, ``trucking.csv``), read by the same reader as ``railplan plan``."""

    shipments: list[Row] = Field(min_length=1)
    departures: list[Row] | None = None
    rates: list[Row] | None = None
    border_quota: list[Row] | None = None
    trucking: list[Row] | None = None


Ident = Annotated[str, Field(min_length=1, max_length=120)]


class TrainDelay(_Model):
    """``--delay-train ID:DAYS``: the train leaves ``days`` later (earlier if negative)."""

    departure_id: Ident
    days: int = Field(ge=-30, le=365, strict=True)


class PortClosure(_Model):
    """``--close-port PORT:FROM:TO``: no train passes ``port`` (a border port or any node on
    the route) on a day from ``first`` to ``last``, both included."""

    port: Ident
    first: IsoDate
    last: IsoDate


class QuotaChange(_Model):
    """``--quota PORT:DATE:N``: at most ``trains`` trains cross ``port`` on ``date``."""

    port: Ident
    date: IsoDate
    trains: int = Field(ge=0, le=1000, strict=True)


class DueChange(_Model):
    """``--due SHIPMENT:DATE``: the shipment's new due date."""

    shipment_id: Ident
    due_date: IsoDate


class ReplanIn(_Model):
    """A re-plan of the ledger's confirmed bookings after events (``railplan replan``): at
    least one event (``add_shipments`` counts); ``move_penalty`` USD for every container that leaves its train;
    ``commit``: book the new plan at once (all or nothing, on the version it was made on)."""

    cancel_trains: list[Ident] = Field(default_factory=list, max_length=1000)
    delay_trains: list[TrainDelay] = Field(default_factory=list, max_length=1000)
    close_ports: list[PortClosure] = Field(default_factory=list, max_length=100)
    quotas: list[QuotaChange] = Field(default_factory=list, max_length=1000)
    due_dates: list[DueChange] = Field(default_factory=list, max_length=10_000)
    cancel_shipments: list[Ident] = Field(default_factory=list, max_length=10_000)
    #: ``--add FILE``: new shipments, rows with the columns of ``shipments.csv``
    add_shipments: list[Row] = Field(default_factory=list, max_length=10_000)
    move_penalty: float = Field(
        default=DEFAULT_MOVE_PENALTY_PER_CONTAINER, ge=0, le=1e7, strict=True
    )
    #: ``--move-penalty A,B,C``: one re-plan a penalty (each with the full ``time_limit``), the
    #: result's ``tradeoff`` table; the plan files are the first one's; not with ``commit``
    move_penalties: list[Annotated[float, Field(ge=0, le=1e7, strict=True)]] = Field(
        default_factory=list, max_length=10
    )
    now: IsoDate | None = None
    unpin_affected: bool = Field(default=False, strict=True)
    scope: Literal["shanxi", "national", "all"] = "shanxi"
    time_limit: float = Field(default=30.0, gt=0, le=86_400, strict=True)
    seed: int = Field(default=0, ge=0, le=2**31 - 1, strict=True)
    commit: bool = Field(default=False, strict=True)
    #: draw ``map.html`` and ``report.html`` (``--no-maps`` is ``false``)
    maps: bool = Field(default=True, strict=True)
    offline: bool = Field(default=False, strict=True)
    lang: Literal["en", "zh"] = "en"


class JobOut(_Model):
    job_id: str
    kind: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    attempts: int
    max_attempts: int
    cancel_requested: bool
    error: str | None
    elapsed_s: float | None
    best_cost: float | None
    bound: float | None
    gap: float | None
    customer: str | None
    committed_version: int | None
    links: dict[str, str]


class JobList(_Model):
    jobs: list[JobOut]


class PlanOut(_Model):
    """A finished plan: its summary and tables (the plan folder's CSV files as rows)."""

    job_id: str
    summary: dict[str, Any]
    assignments: list[dict[str, str]]
    trains: list[dict[str, str]]
    unassigned: list[dict[str, str]]
    files: list[str]
    #: what the job reported: the base ledger version; for a re-plan also the containers and
    #: shipments moved, the bookings released and, with several penalties, ``tradeoff``
    job_result: dict[str, Any] = {}


class CommitOut(_Model):
    job_id: str
    version: int
    booking_ids: list[str]


class TrainOut(_Model):
    departure_id: str
    state: str
    origin: str
    destination: str
    border_port: str
    depart_date: dt.date
    capacity_teu: int
    sold_teu: int
    held_teu: int
    left_teu: int
    gross_t: float
    max_gross_t: float | None
    reefer_plugs_used: int
    reefer_plugs: int
    bookings: int


class TrainList(_Model):
    version: int
    trains: list[TrainOut]


class CrossingOut(_Model):
    border_port: str
    date: dt.date
    trains: int
    quota: int | None
    left: int | None


class StatusOut(_Model):
    version: int
    bookings: dict[str, int]
    trains: list[TrainOut]
    crossings: list[CrossingOut]


class BookingIn(_Model):
    """Containers of one shipment to book on one train (``railplan ledger book``)."""

    shipment_id: str = Field(min_length=1, max_length=120)
    departure_id: str = Field(min_length=1, max_length=80)
    containers: int = Field(ge=1, le=1000)
    container_type: str = "40HC"
    gross_t: float = Field(gt=0, le=40)
    origin: str | None = Field(default=None, max_length=80)
    destination: str | None = Field(default=None, max_length=80)
    ready_date: IsoDate | None = None
    due_date: IsoDate | None = None
    customer: str = Field(default="", max_length=200)
    dg_class: str = Field(default="", max_length=20)
    avoid_countries: list[str] = Field(default_factory=list, max_length=50)
    held: bool = False
    hold_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 14)


class BookingOut(_Model):
    booking_id: str
    shipment_id: str
    customer: str
    departure_id: str
    containers: int
    container_type: str
    teu: int
    gross_t: float
    origin: str
    destination: str
    ready_date: dt.date
    due_date: dt.date | None
    state: str
    hold_until: dt.datetime | None
    price_usd: float
    created_version: int
    updated_version: int


class BookingList(_Model):
    bookings: list[BookingOut]


class TokenIn(_Model):
    role: Literal["viewer", "planner", "admin"]
    customer: str | None = Field(default=None, min_length=1, max_length=200)
    name: str = Field(default="", max_length=200)


class TokenOut(_Model):
    token_id: str
    role: str
    customer: str | None
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str


class TokenList(_Model):
    tokens: list[TokenOut]


class DepartureOut(_Model):
    departure_id: str
    service_id: str
    origin: str
    destination: str
    border_port: str
    depart_date: dt.date
    transit_days: int
    capacity_teu: int
    corridor: str


class Timetable(_Model):
    departures: list[DepartureOut]


class Health(_Model):
    status: str
    schema_revision: str | None = None
    ledger_version: int | None = None


class ProblemOut(_Model):
    """RFC 9457 problem details; ``errors`` has one line per problem."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[str]
