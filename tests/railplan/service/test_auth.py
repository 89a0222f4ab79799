"""Who may do what: each role against each operation, and one customer's token against
another customer's bookings and jobs; tokens stored hashed; the open mode."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from railplan.ledger import JobStore, Ledger, TokenStore
from tests.factories import dep
from tests.railplan.service.conftest import make_client, sample_csv

#: (method, path, body, the lowest role allowed); every operation of the API but health
OPERATIONS: list[tuple[str, str, dict[str, object] | None, str]] = [
    ("GET", "/v1/jobs", None, "viewer"),
    ("GET", "/v1/jobs/{job}", None, "viewer"),
    ("GET", "/v1/jobs/{job}/events", None, "viewer"),
    ("GET", "/v1/plans/{job}", None, "viewer"),
    ("GET", "/v1/trains", None, "viewer"),
    ("GET", "/v1/trains/T1", None, "viewer"),
    ("GET", "/v1/ledger/status", None, "viewer"),
    ("GET", "/v1/bookings", None, "viewer"),
    ("GET", "/v1/network", None, "viewer"),
    ("GET", "/v1/timetable?start=2026-12-01", None, "viewer"),
    ("GET", "/metrics", None, "viewer"),
    ("POST", "/v1/plans", {"shipments": [{"shipment_id": "x"}]}, "planner"),
    ("POST", "/v1/plans/{job}/commit", None, "planner"),
    ("POST", "/v1/replans", {"cancel_trains": ["T1"]}, "planner"),
    ("DELETE", "/v1/jobs/{job}", None, "planner"),
    (
        "POST",
        "/v1/bookings",
        {
            "shipment_id": "Q",
            "departure_id": "T1",
            "containers": 1,
            "container_type": "20GP",
            "gross_t": 5,
        },
        "planner",
    ),
    (
        "POST",
        "/v1/quotes",
        {
            "origin": "zhongding",
            "destination": "duisburg",
            "containers": 1,
            "ready_date": "2026-12-01",
        },
        "planner",
    ),
    ("POST", "/v1/quotes/QNONE/accept", None, "planner"),
    ("GET", "/v1/tokens", None, "admin"),
    ("POST", "/v1/tokens", {"role": "viewer"}, "admin"),
]
RANK = {"viewer": 0, "planner": 1, "admin": 2}


@pytest.fixture
def secured(ledger_url: str) -> Iterator[tuple[TestClient, dict[str, str], str]]:
    """An app with a token of each role and two customer planners; a train T1; a cancelled job.
    (client, tokens by name, job id)."""
    with Ledger(ledger_url) as led:
        led.register_departures([dep("T1", 0, capacity_teu=50)])
    jobs = JobStore(ledger_url)
    store = TokenStore(jobs)
    tokens = {r: store.create(r, name=f"test {r}") for r in ("viewer", "planner", "admin")}
    tokens["acme"] = store.create("planner", customer="ACME")
    tokens["bolt"] = store.create("planner", customer="BOLT")
    job = jobs.submit("plan", {"files": {}, "options": {}}, owner="x")
    jobs.cancel(job.job_id)  # ended: its event stream closes at once
    jobs.close()
    with make_client(ledger_url, workers=0, auth_cache_s=0.0) as c:
        yield c, tokens, job.job_id


def _call(c: TestClient, method: str, path: str, body: object, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return int(c.request(method, path, json=body, headers=headers).status_code)


def test_every_role_against_every_operation(
    secured: tuple[TestClient, dict[str, str], str],
) -> None:
    c, tokens, job = secured
    for method, path, body, lowest in OPERATIONS:
        p = path.format(job=job)
        assert _call(c, method, p, body, None) == 401, (method, p)
        assert _call(c, method, p, body, "rp_nothere_x") == 401, (method, p)
        for role in ("viewer", "planner", "admin"):
            got = _call(c, method, p, body, tokens[role])
            if RANK[role] < RANK[lowest]:
                assert got == 403, (role, method, p, got)
            else:
                assert got not in (401, 403) and got < 500, (role, method, p, got)
    assert c.get("/healthz").status_code == 200  # health needs no token


def test_a_customer_token_reaches_only_its_customer(
    secured: tuple[TestClient, dict[str, str], str],
) -> None:
    c, tokens, _ = secured
    acme = {"Authorization": f"Bearer {tokens['acme']}"}
    bolt = {"Authorization": f"Bearer {tokens['bolt']}"}
    body = {"shipment_id": "A1", "departure_id": "T1", "containers": 2, "container_type": "20GP",
            "gross_t": 5}  # fmt: skip
    mine = c.post("/v1/bookings", json=body, headers=acme)
    assert mine.status_code == 201 and mine.json()["customer"] == "ACME"  # forced
    other = c.post("/v1/bookings", json=body | {"customer": "BOLT"}, headers=acme)
    assert other.status_code == 403
    bid = mine.json()["booking_id"]
    assert [b["booking_id"] for b in c.get("/v1/bookings", headers=acme).json()["bookings"]] == [
        bid
    ]
    assert c.get("/v1/bookings", headers=bolt).json()["bookings"] == []
    assert c.get(f"/v1/bookings/{bid}", headers=bolt).status_code == 404
    assert c.delete(f"/v1/bookings/{bid}", headers=bolt).status_code == 404
    assert c.get(f"/v1/bookings/{bid}", headers=acme).status_code == 200
    # the unscoped planner sees all; jobs of nobody's customer are hidden from customers
    planner = {"Authorization": f"Bearer {tokens['planner']}"}
    assert len(c.get("/v1/bookings", headers=planner).json()["bookings"]) == 1
    assert c.get("/v1/jobs", headers=acme).json()["jobs"] == []
    assert len(c.get("/v1/jobs", headers=planner).json()["jobs"]) == 1
    # a customer's batch may hold its own shipments only
    r = c.post("/v1/plans", content=sample_csv(3), headers=acme | {"content-type": "text/csv"})
    assert r.status_code == 403 and "plans for 'ACME' only" in r.json()["detail"]
    assert c.delete(f"/v1/bookings/{bid}", headers=acme).json()["state"] == "cancelled"


def test_tokens_are_stored_hashed_and_revocable(
    secured: tuple[TestClient, dict[str, str], str], ledger_url: str
) -> None:
    c, tokens, _ = secured
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    made = c.post("/v1/tokens", json={"role": "viewer", "name": "dash"}, headers=admin).json()
    token, tid = made["token"], made["token_id"]
    secret = token.split("_", 2)[2]
    with Ledger(ledger_url) as led, led.engine.connect() as conn:
        rows = conn.execute(text("SELECT token_id, secret_sha256 FROM api_tokens")).all()
    stored: dict[str, str] = {str(k): str(v) for k, v in rows}
    assert stored[tid] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in v for v in stored.values())
    viewer = {"Authorization": f"Bearer {token}"}
    assert c.get("/v1/trains", headers=viewer).status_code == 200
    assert c.delete(f"/v1/tokens/{tid}", headers=admin).json()["revoked_at"] is not None
    assert c.get("/v1/trains", headers=viewer).status_code == 401
    assert c.delete("/v1/tokens/nope", headers=admin).status_code == 404
    bad = c.post("/v1/tokens", json={"role": "admin", "customer": "ACME"}, headers=admin)
    assert bad.status_code == 409 and "cannot be scoped" in bad.json()["detail"]


def test_open_mode_until_the_first_token(ledger_url: str) -> None:
    with make_client(ledger_url, workers=0, auth_cache_s=0.0) as client:
        assert client.get("/v1/tokens").status_code == 200  # no token yet: open (loopback)
        made = client.post("/v1/tokens", json={"role": "admin"}).json()
        r = client.get("/v1/tokens")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        h = {"Authorization": f"Bearer {made['token']}"}
        assert client.get("/v1/tokens", headers=h).status_code == 200


def test_serve_refuses_a_public_address_without_tokens(ledger_url: str) -> None:
    from click.testing import CliRunner

    from railplan.cli import main

    r = CliRunner().invoke(main, ["serve", "--db", ledger_url, "--host", "0.0.0.0"])
    assert r.exit_code == 2
    assert "no token exists" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["token", "create", "--db", ledger_url, "--role", "boss"])
    assert r.exit_code == 2 and "error:" in r.output
    r = CliRunner().invoke(main, ["token", "create", "--db", ledger_url, "--role", "viewer"])
    assert r.exit_code == 0 and r.output.startswith("rp_")
    listed = CliRunner().invoke(main, ["token", "list", "--db", ledger_url]).output
    assert " viewer " in listed and r.output.strip() not in listed
