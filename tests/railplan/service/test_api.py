"""Every endpoint in-process (``TestClient``): a real plan job from submission to commit, the
ledger's reads and writes, the answers to bad input, and the limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from railplan.ledger import Ledger
from tests.railplan.service.conftest import make_client, sample_csv, wait_for

CSV = {"content-type": "text/csv"}


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, str]]:
    """One app with a solve slot, one real plan job of the sample batch (364 shipments) run to its end:
    (client, job id, ledger URL)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('svc') / 'ledger.db'}"
    with Ledger(url) as led:
        led.init()
    with make_client(url, workers=1) as c:
        r = c.post("/v1/plans?time_limit=5&offline=true", content=sample_csv(400), headers=CSV)
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        assert r.headers["location"] == f"/v1/jobs/{job_id}"
        assert wait_for(c, job_id)["state"] == "done"
        yield c, job_id, url


def test_a_plan_job_runs_in_its_own_process_and_reports(
    solved: tuple[TestClient, str, str],
) -> None:
    c, job_id, _ = solved
    j = c.get(f"/v1/jobs/{job_id}").json()
    assert j["state"] == "done" and j["attempts"] == 1 and j["error"] is None
    plan = c.get(f"/v1/plans/{job_id}").json()
    s = plan["summary"]
    assert s["status"] in ("optimal", "feasible")
    # every container of the batch is assigned or reported unassigned, once
    sent = sum(int(line.split(",")[3]) for line in sample_csv(400).decode().splitlines()[1:])
    placed = sum(int(a["containers"]) for a in plan["assignments"])
    left = sum(int(u["containers"]) for u in plan["unassigned"])
    assert placed + left == sent and placed > 0
    assert {"assignments.csv", "plan.xlsx", "map.html", "report.html"} <= set(plan["files"])
    assert j["best_cost"] is None or j["best_cost"] >= s["objective"] - 1e-6


def test_plan_files_map_and_report(solved: tuple[TestClient, str, str]) -> None:
    c, job_id, _ = solved
    a = c.get(f"/v1/plans/{job_id}/assignments.csv")
    assert a.status_code == 200 and a.headers["content-type"].startswith("text/csv")
    assert a.text.splitlines()[0].startswith("shipment_id,departure_id")
    x = c.get(f"/v1/plans/{job_id}/plan.xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    for path in ("map", "report"):
        h = c.get(f"/v1/plans/{job_id}/{path}")
        assert h.status_code == 200 and "<html" in h.text.lower()
        assert "unpkg.com" not in h.text and "cdn.jsdelivr" not in h.text  # offline=true


def test_events_replay_in_order_and_resume_after_last_event_id(
    solved: tuple[TestClient, str, str],
) -> None:
    c, job_id, _ = solved
    text = c.get(f"/v1/jobs/{job_id}/events").text
    blocks = [b for b in text.split("\n\n") if b.startswith("id:")]
    ids = [int(b.split("\n")[0][4:]) for b in blocks]
    kinds = [b.split("\n")[1][7:] for b in blocks]
    data = [json.loads(b.split("\n")[2][6:]) for b in blocks]
    assert ids == sorted(ids) and kinds[0] == "state" and data[0]["state"] == "queued"
    assert data[1]["state"] == "running" and data[-1]["state"] == "done"
    rest = c.get(f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": str(ids[1])}).text
    assert [int(b.split("\n")[0][4:]) for b in rest.split("\n\n") if b.startswith("id:")] == ids[2:]


def test_commit_books_the_plan_once(solved: tuple[TestClient, str, str]) -> None:
    c, job_id, url = solved
    plan = c.get(f"/v1/plans/{job_id}").json()
    r = c.post(f"/v1/plans/{job_id}/commit")
    assert r.status_code == 200, r.text
    ids = r.json()["booking_ids"]
    assert len(ids) == len(plan["assignments"])
    with Ledger(url) as led:
        assert led.check() == []
        booked = sum(b.containers for b in led.bookings("confirmed"))
    assert booked == sum(int(a["containers"]) for a in plan["assignments"])
    again = c.post(f"/v1/plans/{job_id}/commit")
    assert again.status_code == 409 and "committed already" in again.json()["detail"]
    trains = c.get("/v1/trains").json()["trains"]
    sold = {t["departure_id"]: t["sold_teu"] for t in trains}
    for a in plan["assignments"]:
        assert sold[a["departure_id"]] > 0
    one = c.get(f"/v1/trains/{plan['assignments'][0]['departure_id']}").json()
    assert one["left_teu"] == one["capacity_teu"] - one["sold_teu"] - one["held_teu"]


def test_a_stale_plan_is_refused_with_409(solved: tuple[TestClient, str, str]) -> None:
    c, _, _ = solved
    r = c.post("/v1/plans?time_limit=3&maps=false", content=sample_csv(400), headers=CSV)
    job_id = r.json()["job_id"]
    assert wait_for(c, job_id)["state"] == "done"
    dep = c.get(f"/v1/plans/{job_id}").json()["assignments"][0]["departure_id"]
    b = c.post(
        "/v1/bookings",
        json={"shipment_id": "LATE-1", "departure_id": dep, "containers": 1, "gross_t": 10},
    )
    assert b.status_code == 201, b.text  # the ledger moves on
    r = c.post(f"/v1/plans/{job_id}/commit")
    assert r.status_code == 409 and "stale ledger version" in r.json()["detail"]


def test_bad_batch_is_422_field_by_field_like_the_cli(client: TestClient) -> None:
    rows: list[dict[str, Any]] = [
        {"shipment_id": "A1", "origin": "Taiyaun", "destination": "moscow", "containers": 0,
         "container_type": "40XX", "gross_t": 10, "ready_date": "2026-13-01"},
    ]  # fmt: skip
    r = client.post("/v1/plans", json={"shipments": rows})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    p = r.json()
    assert p["status"] == 422 and p["title"] == "Unprocessable content"
    assert p["errors"] == [
        "shipments.json: row 1, column origin: unknown place 'Taiyaun'; did you mean 'taiyuan'?",
        "shipments.json: row 1, column containers: '0': expected an integer from 1 to 100,000",
        "shipments.json: row 1, column container_type: '40XX': expected one of 20GP, 20RF, "
        "40GP, 40HC, 40RF, 45HC",
        "shipments.json: row 1, column ready_date: '2026-13-01': expected a date YYYY-MM-DD",
    ]
    assert client.get("/v1/jobs").json()["jobs"] == []  # nothing queued


def test_limits_413_415_422(ledger_url: str) -> None:
    with make_client(ledger_url, workers=0, max_body_bytes=2000, max_shipments=5) as c:
        big = c.post("/v1/plans", content=sample_csv(40), headers=CSV)
        assert big.status_code == 413 and "expected at most 2,000" in big.json()["detail"]
        rows = [json.loads(json.dumps({"shipment_id": f"S{i}"})) for i in range(6)]
        many = c.post("/v1/plans", json={"shipments": rows})
        assert many.status_code == 422 and "expected at most 5 a batch" in many.json()["detail"]
        odd = c.post("/v1/plans", content=b"x", headers={"content-type": "text/plain"})
        assert odd.status_code == 415
        slow = c.post("/v1/plans?time_limit=999999", content=sample_csv(2), headers=CSV)
        assert slow.status_code == 422 and slow.json()["errors"][0].startswith("query.time_limit")
        none = c.get("/v1/jobs/nope")
        assert none.status_code == 404 and none.json()["errors"] == ["job nope: no such job"]


def test_cancel_a_queued_job_and_its_plan_is_not_ready(client: TestClient) -> None:
    r = client.post("/v1/plans?maps=false", content=sample_csv(2), headers=CSV)
    job_id = r.json()["job_id"]
    assert client.get(f"/v1/plans/{job_id}").status_code == 409
    d = client.delete(f"/v1/jobs/{job_id}")
    assert d.status_code == 200 and d.json()["state"] == "cancelled"
    ev = client.get(f"/v1/jobs/{job_id}/events").text  # ends: the job has ended
    assert '"state": "cancelled"' in ev
    assert "cancelled" in client.get(f"/v1/plans/{job_id}").json()["detail"]


def test_bookings_book_refuse_and_cancel(client: TestClient, ledger_url: str) -> None:
    from tests.factories import dep

    with Ledger(ledger_url) as led:
        led.register_departures([dep("T1", 0, capacity_teu=10, border_port="erenhot")])
    ok = client.post(
        "/v1/bookings",
        json={"shipment_id": "S1", "departure_id": "T1", "containers": 4, "container_type": "20GP",
              "gross_t": 10, "customer": "ACME"},
    )  # fmt: skip
    assert ok.status_code == 201, ok.text
    full = client.post(
        "/v1/bookings",
        json={"shipment_id": "S2", "departure_id": "T1", "containers": 7, "container_type": "20GP",
              "gross_t": 10},
    )  # fmt: skip
    assert full.status_code == 409
    assert "7 TEU do not fit, 6 of 10 TEU left" in full.json()["detail"]
    bid = ok.json()["booking_id"]
    assert client.get(f"/v1/bookings/{bid}").json()["customer"] == "ACME"
    assert client.get("/v1/trains/T1").json()["left_teu"] == 6
    assert client.delete(f"/v1/bookings/{bid}").json()["state"] == "cancelled"
    assert client.get("/v1/trains/T1").json()["left_teu"] == 10
    assert client.delete(f"/v1/bookings/{bid}").status_code == 409  # already cancelled
    status = client.get("/v1/ledger/status").json()
    assert status["bookings"] == {"cancelled": 1}


def test_network_timetable_health_metrics(client: TestClient) -> None:
    g = client.get("/v1/network").json()
    kinds = {f["geometry"]["type"] for f in g["features"]}
    assert g["type"] == "FeatureCollection" and kinds == {"Point", "LineString"}
    ere = next(f for f in g["features"] if f["properties"].get("id") == "erenhot")
    assert ere["properties"]["kind"] == "border"
    t = client.get("/v1/timetable?start=2026-12-01&days=14").json()["departures"]
    assert len(t) == 16 and all(d["depart_date"] >= "2026-12-07" for d in t)
    assert client.get("/healthz").json() == {"status": "ok", "schema_revision": None,
                                               "ledger_version": None}  # fmt: skip
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["schema_revision"] == "0004_booking_state"
    m = client.get("/metrics").text
    assert 'railplan_jobs{state="queued"} 0' in m
    assert 'route="/v1/timetable",status="200",le="+Inf"} 1' in m


def test_readyz_is_503_on_a_database_without_the_schema(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    (tmp_path / "empty.db").touch()
    with make_client(url, workers=0) as c:
        r = c.get("/readyz")
        assert r.status_code == 503 and "railplan ledger init" in r.json()["detail"]
        assert c.get("/healthz").status_code == 200


def test_quote_hold_and_accept(solved: tuple[TestClient, str, str]) -> None:
    c, job_id, _ = solved
    a = c.get(f"/v1/plans/{job_id}").json()["assignments"][0]
    body = {"origin": a["origin"], "destination": a["destination"], "containers": 1,
            "container_type": "20GP", "ready_date": a["depart_date"], "hold_hours": 2}  # fmt: skip
    q = c.post("/v1/quotes", json=body)
    assert q.status_code == 200, q.text
    got = q.json()
    assert got["options"] and got["held"]["containers"] == 1
    qid = got["held"]["quote_id"]
    train = got["held"]["departure_id"]
    held = c.get(f"/v1/trains/{train}").json()["held_teu"]
    assert held >= 1
    ok = c.post(f"/v1/quotes/{qid}/accept")
    assert ok.status_code == 200 and ok.json()["state"] == "accepted"
    assert c.post(f"/v1/quotes/{qid}/accept").status_code == 409  # accepted already
    assert c.post("/v1/quotes/QNOPE/accept").status_code == 404
    bad = c.post("/v1/quotes", json=body | {"origin": "Taiyaun", "hold_hours": None})
    assert bad.status_code == 422 and "did you mean 'taiyuan'" in bad.json()["detail"]
