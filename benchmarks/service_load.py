"""The service's load benchmark (not a test): a real ``railplan serve`` on 127.0.0.1, a
national-week ledger, one large solve running, and 20 concurrent clients mixing quotes, job
status reads and train reads for 60 s.

    python -m benchmarks.service_load [--db URL | --postgres] [--clients 20] [--seconds 60]

Without ``--db`` it makes a SQLite ledger in a temporary folder; with a PostgreSQL URL it uses
that (empty) database; ``--postgres`` starts a throwaway cluster on loopback for the run
(:func:`benchmarks.pg.cluster`) and stops it afterwards. Set-up, through the CLI and the API only (this package sits below
``railplan`` and imports none of it): ``railplan ledger init``; ``railplan generate --scale
national-week``; the batch planned by the service and committed (the ledger then holds that
week's bookings); a large batch submitted with a long time limit (the large solve that
runs during the load: a generated Shanxi year, time limit 600 s, so it is still solving when
the load ends). Each client loops like a locust user: a request, then a wait drawn from
``--think`` (default 0.1-0.5 s, locust's ``between``): 40 % ``GET /v1/jobs/{id}``, 30 % ``POST
/v1/quotes`` (a real quote on the ledger's capacity), 30 % ``GET /v1/trains/{id}``. An error is a transport
failure or any status other than the expected 200. The API process's resident memory is
sampled every 0.5 s (``psutil``). Prints one Markdown table row per kind and a JSON summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _railplan(*args: str) -> str:
    exe = Path(sys.executable).with_name("railplan")
    return subprocess.run([str(exe), *args], check=True, capture_output=True, text=True).stdout


def _start(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("railplan")
    proc = subprocess.Popen(
        [str(exe), "serve", "--db", url, "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"railplan serve did not start: {log.read_text()[-400:]}")


def _wait_job(base: str, job_id: str, timeout: float) -> dict[str, Any]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        j: dict[str, Any] = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=10).json()
        if j["state"] in ("done", "failed", "cancelled"):
            return j
        time.sleep(1)
    raise SystemExit(f"job {job_id} did not end within {timeout} s")


def prepare(
    base: str, batch: Path, plan_limit: float
) -> tuple[str, list[str], list[dict[str, Any]]]:
    """Book a national week through the service, start the large solve; returns (the running
    job's id, the trains' ids, quote requests drawn from the batch)."""
    body = (batch / "shipments.csv").read_bytes()
    q = f"time_limit={plan_limit:g}&maps=false&scope=national"
    files = {"content-type": "text/csv"}
    r = httpx.post(f"{base}/v1/plans?{q}", content=body, headers=files, timeout=120)
    r.raise_for_status()
    done = _wait_job(base, r.json()["job_id"], 600)
    if done["state"] != "done":
        raise SystemExit(f"the set-up plan failed: {done['error']}")
    httpx.post(f"{base}/v1/plans/{done['job_id']}/commit", timeout=120).raise_for_status()
    large = (batch.parent / "large" / "shipments.csv").read_bytes()
    big = httpx.post(
        f"{base}/v1/plans?time_limit=600&maps=false&seed=1",
        content=large,
        headers=files,
        timeout=120,
    )
    if big.status_code != 202:
        raise SystemExit(f"the large solve was refused: {big.status_code} {big.text[:500]}")
    trains = [
        t["departure_id"] for t in httpx.get(f"{base}/v1/trains", timeout=30).json()["trains"]
    ]
    rows = [line.split(",") for line in body.decode().splitlines()[1:]]
    quotes = [
        {
            "origin": r[1],
            "destination": r[2],
            "containers": min(int(r[3]), 5),
            "container_type": r[4],
            "ready_date": r[6],
        }
        for r in rows[:200]
    ]
    return big.json()["job_id"], trains, quotes


async def client(
    base: str,
    job_id: str,
    trains: list[str],
    quotes: list[dict[str, Any]],
    until: float,
    seed: int,
    think: tuple[float, float],
    out: dict[str, list[float]],
    errors: list[str],
) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.monotonic() < until:
            x = rng.random()
            t0 = time.perf_counter()
            try:
                if x < 0.4:
                    kind, r = "status", await http.get(f"/v1/jobs/{job_id}")
                elif x < 0.7:
                    kind, r = "quote", await http.post("/v1/quotes", json=rng.choice(quotes))
                else:
                    kind, r = "train", await http.get(f"/v1/trains/{rng.choice(trains)}")
            except httpx.HTTPError as e:
                errors.append(f"{type(e).__name__}: {e}")
                continue
            out.setdefault(kind, []).append(time.perf_counter() - t0)
            if r.status_code != 200:
                errors.append(f"{kind}: {r.status_code} {r.text[:200]}")
            await asyncio.sleep(rng.uniform(*think))


def _p(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000 if s else float("nan")


async def load(
    base: str,
    pid: int,
    args: argparse.Namespace,
    setup: tuple[str, list[str], list[dict[str, Any]]],
) -> dict[str, Any]:
    job_id, trains, quotes = setup
    out: dict[str, list[float]] = {}
    errors: list[str] = []
    rss: list[int] = []
    proc = psutil.Process(pid)
    t0 = time.monotonic()
    until = t0 + args.seconds

    async def sample() -> None:
        while time.monotonic() < until:
            rss.append(proc.memory_info().rss)
            await asyncio.sleep(0.5)

    await asyncio.gather(
        sample(),
        *(
            client(base, job_id, trains, quotes, until, i, tuple(args.think), out, errors)
            for i in range(args.clients)
        ),
    )
    wall = time.monotonic() - t0
    state = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=10).json()["state"]
    return {
        "clients": args.clients,
        "think_s": list(args.think),
        "seconds": round(wall, 1),
        "requests": sum(len(v) for v in out.values()),
        "rps": round(sum(len(v) for v in out.values()) / wall, 1),
        "errors": len(errors),
        "first_errors": errors[:5],
        "kinds": {
            k: {
                "n": len(v),
                "p50_ms": round(_p(v, 0.5), 1),
                "p95_ms": round(_p(v, 0.95), 1),
                "max_ms": round(max(v) * 1000, 1),
            }
            for k, v in sorted(out.items())
        },
        "api_rss_mb_max": round(max(rss) / 2**20, 1) if rss else None,
        "large_solve_state_at_end": state,
        "trains": len(trains),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="ledger URL (default: a new SQLite file)")
    ap.add_argument(
        "--postgres", action="store_true", help="a throwaway PostgreSQL cluster for the run"
    )
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--plan-time-limit", type=float, default=60.0)
    ap.add_argument("--think", type=float, nargs=2, default=(0.1, 0.5), metavar=("MIN", "MAX"))
    args = ap.parse_args(argv)
    if args.postgres:
        from benchmarks import pg

        with pg.cluster() as url:
            return run(args, url)
    return run(args, args.db)


def run(args: argparse.Namespace, db: str | None) -> int:
    """The benchmark on ledger ``db`` (None: a new SQLite file)."""
    tmp = Path(tempfile.mkdtemp(prefix="railplan-load-"))
    url = db or f"sqlite:///{tmp / 'ledger.db'}"
    _railplan("ledger", "init", "--db", url)
    _railplan("generate", "--scale", "national-week", "--seed", "0", "--out", str(tmp / "batch"))
    _railplan("generate", "--scale", "shanxi-year", "--seed", "1", "--out", str(tmp / "large"))
    port = _port()
    server = _start(url, port, tmp / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        setup = prepare(base, tmp / "batch", args.plan_time_limit)
        res = asyncio.run(load(base, server.pid, args, setup))
    finally:
        server.terminate()
        server.wait(30)
    res["database"] = url.split(":", 1)[0]
    for k, v in res["kinds"].items():
        print(
            f"| {res['database']} | {k} | {v['n']} | {v['p50_ms']} | {v['p95_ms']} | {v['max_ms']} |"
        )
    print(json.dumps(res, indent=1))
    return 0 if res["errors"] == 0 else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
