"""``POST /v1/replans``: a re-plan job of the ledger's bookings after events, run in a solve
process like a plan, its result read and committed through ``/v1/plans/{id}``; the answers to
a bad body and to a viewer's token."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from railplan.ledger import JobStore, Ledger, TokenStore
from tests.factories import dep
from tests.railplan.service.conftest import make_client, sample_csv, wait_for

CSV = {"content-type": "text/csv"}


@pytest.fixture(scope="module")
def booked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    """One app with a solve slot on a ledger holding a committed plan of the sample batch's
    first 120 shipments: (client, ledger URL)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('replan') / 'ledger.db'}"
    with Ledger(url) as led:
        led.init()
    with make_client(url, workers=1) as c:
        r = c.post("/v1/plans?time_limit=5&maps=false", content=sample_csv(120), headers=CSV)
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        assert wait_for(c, job_id)["state"] == "done"
        assert c.post(f"/v1/plans/{job_id}/commit").status_code == 200
        yield c, url


def busiest(url: str) -> tuple[str, int]:
    """The train with the most booked containers, and how many."""
    on: dict[str, int] = {}
    with Ledger(url) as led:
        for b in led.bookings("confirmed"):
            on[b.departure_id] = on.get(b.departure_id, 0) + b.containers
    train = max(sorted(on), key=lambda d: on[d])
    return train, on[train]


def submit(c: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    r = c.post("/v1/replans", json=body)
    assert r.status_code == 202, r.text
    job = r.json()
    assert r.headers["location"] == f"/v1/jobs/{job['job_id']}" and job["kind"] == "replan"
    end = wait_for(c, job["job_id"])
    assert end["state"] == "done", end
    return end


def test_a_cancel_replan_moves_the_trains_containers_and_commits(
    booked: tuple[TestClient, str],
) -> None:
    c, url = booked
    train, containers = busiest(url)
    job = submit(c, {"cancel_trains": [train], "time_limit": 5})
    plan = c.get(f"/v1/plans/{job['job_id']}").json()
    assert job["links"]["plan"] == f"/v1/plans/{job['job_id']}"
    assert all(a["departure_id"] != train for a in plan["assignments"])
    changes = list(
        csv.DictReader(io.StringIO(c.get(f"/v1/plans/{job['job_id']}/changes.csv").text))
    )
    moved_off = sum(int(r["containers"]) for r in changes if r["from_departure"] == train)
    assert moved_off == containers  # every container of the cancelled train moved or left
    assert "changes.csv" in plan["files"] and "commit.json" not in plan["files"]
    with Ledger(url) as led:
        before = led.version()

    r = c.post(f"/v1/plans/{job['job_id']}/commit")
    assert r.status_code == 200, r.text
    with Ledger(url) as led:
        assert led.version() == r.json()["version"] > before
        assert led.check() == []
        assert all(b.departure_id != train for b in led.bookings("confirmed"))
        states = {d.departure.departure_id: d.state for d in led.departures()}
    assert states[train] == "cancelled"
    again = c.post(f"/v1/plans/{job['job_id']}/commit")
    assert again.status_code == 409 and "committed already" in again.json()["detail"]


def test_commit_true_books_at_once_and_a_stale_replan_is_409(
    booked: tuple[TestClient, str],
) -> None:
    c, url = booked
    train, _ = busiest(url)
    with Ledger(url) as led:
        day = next(
            d.departure.depart_date for d in led.departures() if d.departure.departure_id == train
        )
    job = submit(c, {"delay_trains": [{"departure_id": train, "days": 2}], "commit": True})
    with Ledger(url) as led:
        assert job["committed_version"] == led.version()
        assert led.check() == []
        moved = next(d for d in led.departures() if d.departure.departure_id == train)
    assert moved.state != "cancelled" and (moved.departure.depart_date - day).days == 2
    events = c.get(f"/v1/jobs/{job['job_id']}/events").text
    assert "event: state" in events and '"state": "done"' in events
    assert c.post(f"/v1/plans/{job['job_id']}/commit").status_code == 409

    train, _ = busiest(url)
    stale = submit(c, {"cancel_trains": [train], "move_penalty": 0, "time_limit": 5})
    assert stale["committed_version"] is None
    with Ledger(url) as led:
        dep = next(d.departure.departure_id for d in led.departures() if d.state != "cancelled")
    b = c.post(
        "/v1/bookings",
        json={"shipment_id": "LATE-1", "departure_id": dep, "containers": 1, "gross_t": 10},
    )
    assert b.status_code == 201, b.text  # the ledger moves on
    r = c.post(f"/v1/plans/{stale['job_id']}/commit")
    assert r.status_code == 409 and "stale ledger version" in r.json()["detail"]
    with Ledger(url) as led:
        assert any(x.departure_id == train for x in led.bookings("confirmed"))  # nothing written


def test_bad_body_is_422_one_line_per_field(client: TestClient) -> None:
    body = {
        "cancel_trains": [""],
        "delay_trains": [{"departure_id": "X", "days": 999}],
        "close_ports": [{"port": "Khorgos", "first": "2026-12-40", "last": "2026-12-03"}],
        "move_penalty": -1,
        "time_limit": 0,
        "shipments": [],
    }
    r = client.post("/v1/replans", json=body)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert len(errors) == 6, errors  # pydantic's lines: the body's shape before its meaning
    for field in ("cancel_trains", "delay_trains", "close_ports", "move_penalty", "time_limit"):
        assert any(field in e for e in errors), (field, errors)
    assert any("shipments" in e for e in errors)

    r = client.post(
        "/v1/replans",
        json={
            "close_ports": [{"port": "Nowhereville", "first": "2026-12-05", "last": "2026-12-01"}]
        },
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert len(errors) == 2 and errors[0].startswith("close_ports[0].port: ")
    assert "before first" in errors[1]
    r = client.post(
        "/v1/replans",
        json={"cancel_trains": ["NOPE-1"], "delay_trains": [{"departure_id": "NOPE-2", "days": 1}]},
    )
    assert r.status_code == 422 and r.json()["errors"] == [
        "cancel_trains[0]: 'NOPE-1': no such running train in the ledger",
        "delay_trains[0].departure_id: 'NOPE-2': no such running train in the ledger",
    ]
    r = client.post("/v1/replans", json={"move_penalty": 10})
    assert r.status_code == 422 and "no event" in r.json()["detail"]
    assert client.get("/v1/jobs").json()["jobs"] == []  # nothing queued


def test_a_viewer_may_not_replan_nor_a_caller_without_token(ledger_url: str) -> None:
    with Ledger(ledger_url) as led:
        led.register_departures([dep("T1", 0)])
    jobs = JobStore(ledger_url)
    store = TokenStore(jobs)
    viewer, planner = store.create("viewer"), store.create("planner")
    acme = store.create("planner", customer="ACME")
    jobs.close()
    body = {"cancel_trains": ["T1"]}
    with make_client(ledger_url, workers=0, auth_cache_s=0.0) as c:
        assert c.post("/v1/replans", json=body).status_code == 401
        bearer = {"Authorization": f"Bearer {viewer}"}
        assert c.post("/v1/replans", json=body, headers=bearer).status_code == 403
        bearer = {"Authorization": f"Bearer {acme}"}
        assert c.post("/v1/replans", json=body, headers=bearer).status_code == 403
        bearer = {"Authorization": f"Bearer {planner}"}
        assert c.post("/v1/replans", json=body, headers=bearer).status_code == 202


def test_a_closed_border_day_moves_the_trains_that_cross_it(
    booked: tuple[TestClient, str],
) -> None:
    c, url = booked
    with Ledger(url) as led:
        x = max(led.crossings(), key=lambda x: (x.trains, x.port, x.day))
    assert x.trains > 0
    closure = {"port": x.port.upper(), "first": x.day.isoformat(), "last": x.day.isoformat()}
    job = submit(c, {"close_ports": [closure], "time_limit": 5})
    text = c.get(f"/v1/plans/{job['job_id']}/changes.csv").text
    reasons = {r["reason"] for r in csv.DictReader(io.StringIO(text))}
    assert f"{x.port} closed {x.day}..{x.day}" in reasons  # the port, resolved in the API


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_added_shipments_are_planned_and_the_replan_has_its_maps(
    booked: tuple[TestClient, str],
) -> None:
    """``add_shipments`` (``--add``): new shipments' rows planned with the booked ones; every
    container of them assigned or unassigned with a reason; the re-plan draws its map and
    report as ``railplan replan`` does."""
    c, _ = booked
    new = _rows(sample_csv(125).decode())[120:]
    job = submit(c, {"add_shipments": new, "time_limit": 5, "offline": True})
    plan = c.get(f"/v1/plans/{job['job_id']}").json()
    ids = {r["shipment_id"] for r in new}
    put: dict[str, int] = {}
    for a in plan["assignments"]:
        if a["shipment_id"] in ids:
            put[a["shipment_id"]] = put.get(a["shipment_id"], 0) + int(a["containers"])
    for u in plan["unassigned"]:
        if u["shipment_id"] in ids:
            assert u["reason"], u
            put[u["shipment_id"]] = put.get(u["shipment_id"], 0) + int(u["containers"])
    assert put == {r["shipment_id"]: int(r["containers"]) for r in new}
    assert {"map.html", "report.html"} <= set(plan["files"])
    page = c.get(f"/v1/plans/{job['job_id']}/map")
    assert page.status_code == 200 and "<html" in page.text.lower()


def test_bad_added_shipments_are_422_with_the_readers_lines(client: TestClient) -> None:
    row = _rows(sample_csv(1).decode())[0]
    bad = [row | {"origin": "Nowhereville"}, row | {"shipment_id": "B2", "containers": "0"}]
    r = client.post("/v1/replans", json={"add_shipments": bad})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert len(errors) == 2 and all(e.startswith("add_shipments: ") for e in errors), errors
    assert "Nowhereville" in errors[0] and "containers" in errors[1]
    assert client.get("/v1/jobs").json()["jobs"] == []  # nothing queued


def test_a_replan_commits_on_postgresql(pg_url: str) -> None:
    """The same job and commit on PostgreSQL: plan, commit, then a re-plan that cancels the
    busiest train and commits at once, leaving a ledger that passes its own check."""
    from tests.railplan.ledger.conftest import _fresh_pg_database

    url = _fresh_pg_database(pg_url)
    with Ledger(url) as led:
        led.init()
    with make_client(url, workers=1) as c:
        r = c.post("/v1/plans?time_limit=5&maps=false", content=sample_csv(120), headers=CSV)
        assert r.status_code == 202, r.text
        assert wait_for(c, r.json()["job_id"])["state"] == "done"
        assert c.post(f"/v1/plans/{r.json()['job_id']}/commit").status_code == 200
        train, _ = busiest(url)
        job = submit(c, {"cancel_trains": [train], "commit": True, "maps": False})
    with Ledger(url) as led:
        assert job["committed_version"] == led.version()
        assert led.check() == []
        assert all(b.departure_id != train for b in led.bookings("confirmed"))


def test_commit_true_on_a_ledger_that_moved_on_during_the_solve_writes_nothing(
    booked: tuple[TestClient, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``commit: true`` commits on the version the re-plan was made on: a booking made while
    the solve ran makes the commit a :class:`StaleVersion` (the job fails with its line) and
    the ledger keeps the interloper's booking and nothing of the re-plan."""
    import network
    import routing.api
    from railplan.ledger import BookingRequest, StaleVersion
    from railplan.service import replan
    from railplan.service.models import ReplanIn

    _, url = booked
    train, _ = busiest(url)
    with Ledger(url) as led:
        other = next(
            d.departure
            for d in led.departures()
            if d.state == "scheduled" and d.departure.departure_id != train
        )
    real = routing.api.replan

    def meanwhile(*a: Any, **k: Any) -> Any:
        res = real(*a, **k)
        with Ledger(url) as led:  # another planner books while the solve runs
            led.book(
                BookingRequest(
                    shipment_id="MEANWHILE-1",
                    departure_id=other.departure_id,
                    containers=1,
                    container_type="40HC",
                    gross_t=10,
                    origin=other.origin,
                    destination=other.destination,
                    ready_date=other.depart_date,
                )
            )
        return res

    monkeypatch.setattr(routing.api, "replan", meanwhile)
    net = network.load(None)
    body = ReplanIn(cancel_trains=[train], commit=True, time_limit=5.0, maps=False)
    params, problems = replan.check(body, net, {train})
    assert problems == []
    with Ledger(url) as led:
        before = {b.booking_id for b in led.bookings("confirmed")}
    with pytest.raises(StaleVersion):
        replan.run(url, params | {"network": None}, tmp_path, lambda *_: None)
    with Ledger(url) as led:
        after = {b.booking_id: b for b in led.bookings("confirmed")}
        states = {d.departure.departure_id: d.state for d in led.departures()}
        assert led.check() == []
    assert before <= set(after) and {after[b].shipment_id for b in set(after) - before} == {
        "MEANWHILE-1"
    }
    assert states[train] == "scheduled"  # the re-plan's cancellation was not written


def test_several_move_penalties_give_the_tradeoff_table(
    booked: tuple[TestClient, str],
) -> None:
    """``move_penalties`` (``--move-penalty 0,5000``): one re-plan a penalty; the plan is the
    first one's; a higher penalty never moves more containers; not with ``commit``."""
    c, url = booked
    train, _ = busiest(url)
    body = {"cancel_trains": [train], "move_penalties": [0, 5000], "time_limit": 3, "maps": False}
    job = submit(c, body)
    got = c.get(f"/v1/plans/{job['job_id']}").json()["job_result"]
    rows = got["tradeoff"]
    assert [r["move_penalty"] for r in rows] == [0, 5000] and got["move_penalty"] == 0
    assert rows[0]["containers_moved"] == got["containers_moved"]
    assert rows[1]["containers_moved"] <= rows[0]["containers_moved"]
    r = c.post("/v1/replans", json=body | {"commit": True})
    assert r.status_code == 422 and "commit takes one move penalty" in r.json()["detail"]
    r = c.post("/v1/replans", json=body | {"move_penalty": 10})
    assert r.status_code == 422 and "not both" in r.json()["detail"]


def test_a_replans_budget_is_its_own_time_limit_per_penalty() -> None:
    """The supervisor kills a job past the seconds it asked for (plus grace): a re-plan's
    ``time_limit`` (top level, once a penalty), not a plan's default 30 s."""
    from railplan.service.worker import solve_seconds

    assert solve_seconds({"options": {"time_limit": 5.0}, "files": {}}) == 5.0
    assert solve_seconds({"time_limit": 600.0, "move_penalty": 500.0}) == 600.0
    assert solve_seconds({"time_limit": 10.0, "move_penalties": [0.0, 1.0, 2.0]}) == 30.0
