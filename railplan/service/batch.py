"""A submitted batch: from the request (JSON tables, or one CSV/XLSX/JSON file as the body) to
the job's parameters, checked with the same reader as ``railplan plan`` before it is queued.

The job carries its files (base64) in its parameters: a worker on another machine needs
nothing but the database.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import network
from railplan.service.errors import Problem
from railplan.service.models import PlanBatch
from railplan.service.solve import write_inputs
from routing.api import read_problem
from routing.domain.model import MAX_HORIZON_DAYS, MAX_UNASSIGNED_PENALTY_PER_TEU
from routing.io import InputError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: body media type -> the file name the reader gets (its suffix picks the format)
UPLOADS = {"text/csv": "shipments.csv", XLSX: "shipments.xlsx"}


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanOptions:
    """The options of ``railplan plan`` a job takes (query parameters)."""

    start: dt.date | None = None
    days: int | None = None
    scope: str = "shanxi"
    unassigned_penalty: float = 20_000.0
    time_limit: float = 30.0
    seed: int = 0
    maps: bool = True
    offline: bool = False
    lang: str = "en"

    def check(self, max_time_limit: float) -> None:
        bad = []
        if not 0 < self.time_limit <= max_time_limit:
            bad.append(f"time_limit {self.time_limit:g}: expected over 0 to {max_time_limit:g} s")
        if self.days is not None and not 1 <= self.days <= MAX_HORIZON_DAYS:
            bad.append(f"days {self.days}: expected 1 to {MAX_HORIZON_DAYS}")
        if not 0 <= self.unassigned_penalty <= MAX_UNASSIGNED_PENALTY_PER_TEU:
            bad.append(
                f"unassigned_penalty {self.unassigned_penalty:g}: expected 0 to "
                f"{MAX_UNASSIGNED_PENALTY_PER_TEU:g} USD per TEU"
            )
        if bad:
            raise Problem(422, bad)

    def as_json(self) -> dict[str, Any]:
        return {
            "start": None if self.start is None else self.start.isoformat(),
            "days": self.days,
            "scope": self.scope,
            "unassigned_penalty": self.unassigned_penalty,
            "time_limit": self.time_limit,
            "seed": self.seed,
            "maps": self.maps,
            "offline": self.offline,
            "lang": self.lang,
        }


def _file(name: str, content: bytes) -> dict[str, str]:
    return {"name": name, "base64": base64.b64encode(content).decode()}


def files_of(media_type: str, body: bytes, max_shipments: int) -> dict[str, dict[str, str]]:
    """The batch files of a request body: a JSON :class:`PlanBatch`, or one shipments file
    (CSV, or an XLSX workbook that may hold the other tables as sheets)."""
    if media_type in UPLOADS:
        if not body:
            raise Problem(422, ["the request body is empty; expected the shipments file"])
        return {"shipments": _file(UPLOADS[media_type], body)}
    if media_type != "application/json":
        raise Problem(
            415,
            [
                f"content type {media_type or 'none'!r}: expected application/json, text/csv or {XLSX}"
            ],
        )
    try:
        batch = PlanBatch.model_validate_json(body)
    except ValidationError as e:
        lines = [
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in e.errors()
        ]
        raise Problem(422, lines) from None
    if len(batch.shipments) > max_shipments:
        raise Problem(
            422,
            [
                f"shipments: {len(batch.shipments):,} rows; expected at most {max_shipments:,} a batch"
            ],
        )
    tables = batch.model_dump(exclude_none=True)
    return {
        kind: _file(f"{kind}.json", json.dumps(rows, ensure_ascii=False).encode())
        for kind, rows in tables.items()
    }


def check_batch(
    files: Mapping[str, Mapping[str, str]],
    options: PlanOptions,
    net: network.Network,
    max_shipments: int,
) -> set[str]:
    """Read the batch as the worker will (every problem of every file, as :class:`InputError`
    lines); returns the customers of its shipments."""
    with tempfile.TemporaryDirectory(prefix="railplan-check-") as tmp:
        paths = write_inputs(Path(tmp), files)
        problem = read_problem(
            paths["shipments"],
            net,
            departures=paths.get("departures"),
            rates=paths.get("rates"),
            border_quota=paths.get("border_quota"),
            trucking=paths.get("trucking"),
            start=options.start,
            days=options.days,
            scope=options.scope,
            unassigned_penalty=options.unassigned_penalty,
        )
    n = len(problem.shipments)
    if n > max_shipments:
        raise InputError([f"shipments: {n:,} rows; expected at most {max_shipments:,} a batch"])
    return {s.customer for s in problem.shipments}


__all__ = ["UPLOADS", "XLSX", "PlanOptions", "check_batch", "files_of"]
