"""The jobs queue in the database, on SQLite and PostgreSQL: no job claimed twice by racing
workers, a dead worker's job retried once then failed with the reason, cancel, and a finish
that lands only on a running job."""

from __future__ import annotations

import datetime as dt
import threading

from railplan.ledger import JobStore, Ledger


def _store(url: str) -> JobStore:
    with Ledger(url) as led:
        led.init()
    return JobStore(url)


def test_racing_workers_never_claim_a_job_twice(db_url: str) -> None:
    store = _store(db_url)
    ids = {store.submit("plan", {"n": i}).job_id for i in range(12)}
    got: dict[str, list[str]] = {f"w{k}": [] for k in range(4)}

    def work(name: str) -> None:
        mine = JobStore(db_url)
        while (j := mine.claim(name)) is not None:
            got[name].append(j.job_id)
        mine.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    claimed = [j for js in got.values() for j in js]
    assert sorted(claimed) == sorted(ids)  # each exactly once
    assert all(j.state == "running" and j.attempts == 1 for j in store.jobs())
    store.close()


def test_a_lost_worker_is_retried_once_then_failed_with_the_reason(db_url: str) -> None:
    store = _store(db_url)
    job = store.submit("plan", {})
    assert store.claim("otherhost:1") is not None  # another machine: only its heartbeat tells
    assert store.recover(stale_after_s=8) == []  # it beat just now
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=9)
    assert store.recover(stale_after_s=8, at=later) == [job.job_id]
    j = store.get(job.job_id)
    assert j is not None and j.state == "queued" and "no heartbeat for 9 s" in (j.error or "")
    assert store.claim("otherhost:2") is not None
    assert store.recover(stale_after_s=8, at=later + dt.timedelta(seconds=9)) == [job.job_id]
    j = store.get(job.job_id)
    assert j is not None and j.state == "failed" and j.attempts == 2
    assert "attempt 2 of 2" in (j.error or "")
    states = [e.data["state"] for e in store.events(job.job_id) if e.kind == "state"]
    assert states == ["queued", "running", "queued", "running", "failed"]
    store.close()


def test_a_dead_process_on_this_host_is_recovered_at_once(db_url: str) -> None:
    import socket
    import subprocess
    import sys

    store = _store(db_url)
    job = store.submit("plan", {})
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    store.claim(f"{socket.gethostname()}:{p.pid}")
    assert store.recover(stale_after_s=3600) == [job.job_id]
    assert "died" in (store.get(job.job_id).error or "")  # type: ignore[union-attr]
    store.close()


def test_cancel_and_finish(db_url: str) -> None:
    store = _store(db_url)
    a, b = store.submit("plan", {}), store.submit("plan", {})
    assert (store.cancel(a.job_id) or a).state == "cancelled"  # queued: at once
    run = store.claim("h:1")
    assert run is not None and run.job_id == b.job_id
    asked = store.cancel(b.job_id)
    assert asked is not None and asked.state == "running" and asked.cancel_requested
    assert store.heartbeat([b.job_id], "h:1") == {b.job_id}
    assert store.fail(b.job_id, "cancelled") == "cancelled"
    assert not store.finish(b.job_id, {"status": "optimal"}, {"x.csv": b"1"})  # too late
    assert store.file(b.job_id, "x.csv") is None
    c = store.submit("plan", {})
    assert store.claim("h:1") is not None
    assert store.finish(c.job_id, {"status": "optimal"}, {"x.csv": b"1"})
    assert store.file(c.job_id, "x.csv") == b"1"
    assert store.counts() == {"queued": 0, "running": 0, "done": 1, "failed": 0, "cancelled": 2}
    store.close()


def test_a_solve_over_its_memory_cap_fails_with_the_reason(tmp_path: object) -> None:
    """The solve process caps its address space; a cap below what a solve needs ends the job
    failed, with the reason, never done and never hanging."""
    import subprocess
    import sys

    from railplan.service.batch import files_of
    from tests.railplan.service.conftest import sample_csv

    url = f"sqlite:///{tmp_path}/ledger.db"
    store = _store(url)
    files = files_of("text/csv", sample_csv(400), 1000)
    job = store.submit("plan", {"files": files, "options": {"time_limit": 2, "maps": False}})
    assert store.claim("h:1") is not None
    args = [sys.executable, "-m", "railplan.service.solve", url, job.job_id, "300"]
    done = subprocess.run(args, capture_output=True, timeout=120)
    j = store.get(job.job_id)
    assert j is not None
    assert done.returncode == 0, done.stderr[-500:]  # Python's MemoryError, caught
    assert j.state == "failed"
    assert j.error == "out of memory: the solve passed the cap of 300 MB"
    store.close()


def test_railplan_worker_runs_queued_jobs_and_stops_on_sigterm(tmp_path: object) -> None:
    """``railplan worker`` (as on another machine): takes a queued job, runs it, ends 0 on
    SIGTERM."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from railplan.service.batch import files_of
    from tests.railplan.service.conftest import sample_csv

    url = f"sqlite:///{tmp_path}/ledger.db"
    store = _store(url)
    files = files_of("text/csv", sample_csv(400), 1000)
    job = store.submit("plan", {"files": files, "options": {"time_limit": 2, "maps": False}})
    exe = Path(sys.executable).with_name("railplan")
    w = subprocess.Popen([str(exe), "worker", "--db", url], stderr=subprocess.PIPE)
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60 and not (store.get(job.job_id) or job).final:
            time.sleep(0.2)
        j = store.get(job.job_id)
        assert j is not None and j.state == "done", j
        assert j.worker is not None and j.worker.endswith(f":{w.pid}")
        assert store.file(job.job_id, "assignments.csv")
    finally:
        w.send_signal(signal.SIGTERM)
        assert w.wait(20) == 0
    assert b"railplan worker" in (w.stderr.read() if w.stderr else b"")
    store.close()


def test_a_brief_read_leaves_out_the_batch_and_the_result(db_url: str) -> None:
    """Status reads (``GET /v1/jobs/{id}``, the list, the supervisor's recovery) do not read a
    job's params, which hold the whole batch; the full read still gives them."""
    store = _store(db_url)
    params = {"files": {"shipments": {"content": "x" * 10_000}}, "options": {"seed": 3}}
    j = store.submit("plan", params)
    assert store.get(j.job_id).params == params  # type: ignore[union-attr]
    brief = store.get(j.job_id, brief=True)
    assert brief is not None and brief.params == {} and brief.result is None
    assert brief.state == "queued" and brief.job_id == j.job_id
    listed = store.jobs(brief=True)
    assert [x.job_id for x in listed] == [j.job_id] and listed[0].params == {}
    store.close()
