"""A crash test against a real ``railplan serve`` on loopback: two jobs submitted, one job's solve
process killed with SIGKILL, then the server itself; after a restart every job ends done or
failed with a reason, and none is lost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from railplan.ledger import JobStore, Ledger
from tests.railplan.service.conftest import sample_csv


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("railplan")
    proc = subprocess.Popen(
        [str(exe), "serve", "--db", url, "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"railplan serve did not come up: {log.read_text()[-500:]}")


def _wait(store: JobStore, until: Callable[[], bool], timeout: float, what: str) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if until():
            return
        time.sleep(0.1)
    states = {j.job_id[:8]: (j.state, j.pid, j.error) for j in store.jobs()}
    raise AssertionError(f"{what} within {timeout} s; jobs: {states}")


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not: an orphan's exit may wait to be reaped by a
    container's init that never reaps)."""
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_kill_9_a_worker_then_the_server_and_no_job_is_lost(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger(url) as led:
        led.init()
    store = JobStore(url)
    port, log = _port(), tmp_path / "serve.log"
    server = _serve(url, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        ids = []
        for seed in range(2):
            r = httpx.post(
                f"{base}/v1/plans?time_limit=2&maps=false&seed={seed}",
                content=sample_csv(400),
                headers={"content-type": "text/csv"},
                timeout=30,
            )
            assert r.status_code == 202, r.text
            ids.append(r.json()["job_id"])

        # 1. SIGKILL the first job's solve process: retried (attempt 2) within 10 s
        def started() -> bool:
            j = store.get(ids[0])
            return j is not None and j.pid is not None

        _wait(store, started, 30, "job 1 did not start")
        first = store.get(ids[0])
        assert first is not None and first.pid is not None
        os.kill(first.pid, signal.SIGKILL)
        t_kill = time.monotonic()
        assert httpx.get(f"{base}/healthz", timeout=2).status_code == 200  # still answering

        def retried() -> bool:
            j = store.get(ids[0])
            return j is not None and (j.attempts == 2 or j.state == "failed")

        _wait(store, retried, 10, "the killed job was neither retried nor failed")
        assert time.monotonic() - t_kill < 10
        events = [e.data for e in store.events(ids[0]) if e.kind == "state"]
        assert any("killed by SIGKILL" in str(e.get("reason", "")) for e in events)

        # 2. SIGKILL the server while a job runs; its orphaned solve process ends by itself
        def running() -> bool:
            return any(j.state == "running" and j.pid for j in store.jobs())

        _wait(store, running, 30, "no job running")
        orphan = next(j.pid for j in store.jobs() if j.state == "running" and j.pid)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        _wait(store, lambda: not _alive(orphan), 10, "the orphaned solve process lived on")

        # 3. restart: the interrupted job is retried or failed, queued jobs run, none lost
        server = _serve(url, port, log)
        _wait(store, lambda: all(j.final for j in store.jobs()), 75, "jobs did not all end")
        jobs = {j.job_id: j for j in store.jobs()}
        assert set(jobs) == set(ids)
        for j in jobs.values():
            assert j.state in ("done", "failed"), j
            if j.state == "failed":
                assert j.error
            else:
                assert j.result is not None and j.result["status"] in ("optimal", "feasible")
        assert jobs[ids[0]].attempts == 2  # killed once, then ran again
        got = httpx.get(f"{base}/v1/jobs", timeout=5).json()["jobs"]
        assert {j["job_id"] for j in got} == set(ids)
    finally:
        server.kill()
        server.wait(10)
        store.close()
