"""schemathesis against the app's own OpenAPI schema, in-process: every operation, a bounded
number of generated requests each; no 5xx, and every answer (status, content type, body)
conforms to the schema.

The app runs on a fresh ledger with one registered train and no solve slot, so that a
generated batch that passes the reader is queued but never solved (the real solver is
tested in test_api.py and the optimiser's own tests)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from railplan.ledger import JobStore, Ledger, TokenStore
from railplan.service.app import create_app
from railplan.service.settings import Settings
from tests.factories import dep

#: an admin's token: every operation is reached past the gate (test_auth.py tests the gate)
HEADERS: dict[str, str] = {}


def _app() -> object:
    """The app on a ledger in a temporary folder (removed at exit); schemathesis loads the
    schema when the module is collected, so this cannot be a fixture."""
    folder = Path(tempfile.mkdtemp(prefix="railplan-schema-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'ledger.db'}"
    with Ledger(url) as led:
        led.init()
        led.register_departures([dep("T1", 0, capacity_teu=50)])
    jobs = JobStore(url)
    HEADERS["Authorization"] = f"Bearer {TokenStore(jobs).create('admin')}"
    jobs.close()
    return create_app(Settings(db=url, workers=0, max_shipments=50))


#: operations whose bodies follow rules a JSON schema does not hold (a batch's places, dates and
#: container types are checked by the plan reader, a booking's container type by the ledger,
#: a quote's places by the network, a re-plan's ports by the network and its events' presence):
#: a schema-valid body may be answered 422 with the reader's lines, by design
CONTENT_RULES = {
    ("POST", "/v1/plans"),
    ("POST", "/v1/bookings"),
    ("POST", "/v1/quotes"),
    ("POST", "/v1/replans"),
}

schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_conforms(case: Any) -> None:
    excluded: list[Any] = []
    if (case.method, case.path) in CONTENT_RULES:
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers=HEADERS, excluded_checks=excluded)
