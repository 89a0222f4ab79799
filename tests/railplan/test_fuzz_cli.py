"""A seeded fuzz of ``railplan plan`` end to end: mutated shipments, departures, rates, quota
and trucking files (CSV, JSON, XLSX, odd bytes and encodings) and odd flags.

Every run must end with exit 0 or 2 only; on 2, every line of stderr is one ``error:`` line
naming the file (and row and column where a cell is concerned), with no traceback, and the
previous plan in ``--out`` is left byte for byte; on 0, every container of the input is in the
plan or in the unassigned list and ``railplan check`` passes; nothing outside the plan folder
changes. ``RAILPLAN_FUZZ_RUNS`` sets the number of runs (``make fuzz`` sets it higher).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import IllegalCharacterError

from railplan.cli import main

RUNS = int(os.environ.get("RAILPLAN_FUZZ_RUNS", "60"))

SHIPMENTS = [
    ["shipment_id", "origin", "destination", "containers", "container_type", "gross_t",
     "ready_date", "due_date", "split", "avoid_countries", "dg_class", "customer"],
    ["F1", "zhongding", "moscow", "3", "40HC", "20", "2026-12-03", "2026-12-30", "true", "", "", "Jiexiu Coking"],
    ["F2", "taiyuan", "duisburg", "2", "20GP", "12", "2026-12-04", "", "false", "", "", "Xiaoyi"],
    ["F3", "datong", "ulaanbaatar", "1", "40RF", "18", "2026-12-05", "2026-12-20", "true", "", "", "Datong Foods"],
    ["F4", "houma", "almaty", "4", "40GP", "15", "2026-12-03", "2026-12-25", "true", "RU", "", "Houma Metals"],
]  # fmt: skip
DEPARTURES = [
    ["departure_id", "origin", "destination", "border_port", "depart_date", "transit_days",
     "capacity_teu", "fixed_cost", "rate_per_teu", "min_load_teu", "reefer_plugs"],
    ["D1", "zhongding", "moscow", "erenhot", "2026-12-06", "14", "100", "20000", "3000", "0", "4"],
    ["D2", "zhongding", "duisburg", "alashankou", "2026-12-08", "18", "100", "30000", "4000", "0", "0"],
    ["D3", "zhongding", "almaty", "khorgos", "2026-12-07", "8", "80", "10000", "2000", "0", "0"],
]  # fmt: skip
RATES = [["shipment_id", "departure_id", "rate_per_teu"], ["F1", "D1", "2500"]]
QUOTA = [["border_port", "trains_per_day"], ["erenhot", "3"]]
TRUCKING = [["from", "to", "cost_per_teu", "days"], ["taiyuan", "zhongding", "150", "1"]]
FILES = {
    "shipments": SHIPMENTS,
    "departures": DEPARTURES,
    "rates": RATES,
    "border_quota": QUOTA,
    "trucking": TRUCKING,
}

CELLS = [
    "", " ", "0", "-1", "1e308", "1e20", str(10**30), "nan", "inf", "-inf", "1,200.0", "1.234,5",
    "9999-12-31", "0001-01-01", "2026-12-08garbage", "2026-12-08T10:00", "2026-W50-1",
    "=1+1", "'=1+1", "@SUM(A1)", "+cmd", "-2+3", "<script>alert(1)</script>", '"', '"open',
    "a\x00b", "a\x07b", "line\rbreak", "line\nbreak", "Zürich Müller", "太原", "\ud800", "x" * 5000,
    "zhongding", "moscow", "40HC", "20GP", "true", "RU;BY", "3", "2026-12-10",
]  # fmt: skip
FLAGS = [
    [], [], [], ["--time-limit", "0"], ["--time-limit", "nan"], ["--time-limit", "-1"],
    ["--unassigned-penalty", "inf"], ["--unassigned-penalty", "0"], ["--seed", str(2**63)],
    ["--start", "9999-12-01"], ["--start", "2026-12-01"], ["--days", "100000"], ["--days", "30"],
    ["--scope", "national"], ["--tiles", "https://tiles.example.com/{z}/{x}/{y}.png"],
]  # fmt: skip


def _cell_text(v: str) -> str:
    return v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if v else v


def write_table(path: Path, rows: list[list[str]], fmt: str, encoding: str) -> Path:
    """Write ``rows`` as CSV (in ``encoding``), JSON or XLSX; returns the path written."""
    if fmt == "json":
        p = path.with_suffix(".json")
        objs = [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
        p.write_bytes(json.dumps(objs, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        return p
    if fmt == "xlsx":
        p = path.with_suffix(".xlsx")
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        for r in rows:
            try:
                ws.append(r)
            except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses some itself
                ws.append([ILLEGAL_CHARACTERS_RE.sub("", _cell_text(v)) for v in r])
        wb.save(p)
        return p
    p = path.with_suffix(".csv")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    p.write_bytes(
        buf.getvalue().encode(encoding, "surrogatepass" if encoding == "utf-8" else "replace")
    )
    return p


def mutate(rows: list[list[str]], rng: random.Random) -> list[list[str]]:
    rows = [list(r) for r in rows]
    for _ in range(rng.choice((1, 1, 2, 3))):
        kind = rng.random()
        if kind < 0.7 and len(rows) > 1:
            r = rng.randrange(1, len(rows))
            rows[r][rng.randrange(len(rows[r]))] = rng.choice(CELLS)
        elif kind < 0.8:
            rows[0][rng.randrange(len(rows[0]))] = rng.choice(
                ["", rows[0][0], "Shipment ID", "始发地"]
            )
        elif kind < 0.9 and len(rows) > 1:
            rows.append(list(rows[rng.randrange(1, len(rows))]))  # duplicate row
        elif len(rows) > 1:
            del rows[rng.randrange(1, len(rows))]
    return rows


def snapshot(folder: Path, skip: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and skip not in p.parents
    }


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


def containers_in(path: Path) -> int | None:
    """Containers of a batch file as written (None when it is not a plain readable CSV)."""
    if path.suffix != ".csv":
        return None
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
        return sum(int(r["containers"]) for r in rows)
    except (KeyError, ValueError, TypeError, UnicodeDecodeError):
        return None


@pytest.mark.parametrize("seed", range(RUNS))
def test_plan_on_a_mutated_batch_ends_cleanly(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    work = tmp_path / "work"
    (work / "base").mkdir(parents=True)
    out = work / "plan"
    base = {
        name: write_table(work / "base" / name, rows, "csv", "utf-8")
        for name, rows in FILES.items()
    }
    code, _, err = run("plan", str(base["shipments"]), "--out", str(out), "--quiet", "--no-maps",
                       "--time-limit", "3", *_options(base))  # fmt: skip
    assert code == 0, f"the unmutated base must plan: {err}"
    previous = snapshot(out, tmp_path / "none")

    target = rng.choice(list(FILES))
    fmt = rng.choice(("csv", "csv", "csv", "json", "xlsx"))
    encoding = rng.choice(("utf-8", "utf-8", "utf-8", "latin-1", "utf-16", "gb18030"))
    paths: dict[str, Path] = {}
    for name, rows in FILES.items():
        if name not in ("shipments", "departures", target) and rng.random() < 0.5:
            continue
        if name == target:
            paths[name] = write_table(work / name, mutate(rows, rng), fmt, encoding)
        else:
            paths[name] = base[name]
    if rng.random() < 0.1:  # raw byte damage
        p = paths[target]
        data = bytearray(p.read_bytes())
        for _ in range(rng.randint(1, 8)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        p.write_bytes(bytes(data))
    outside = snapshot(work, out)
    flags = rng.choice(FLAGS) if rng.random() < 0.3 else []
    code, stdout, err = run(
        "plan", str(paths["shipments"]), "--out", str(out), "--quiet", "--no-maps",
        "--time-limit", "3", *_options(paths), *flags,
    )  # fmt: skip
    assert code in (0, 2), f"seed {seed}: exit {code}: {err}"
    assert "Traceback" not in err and "internal error" not in err
    assert snapshot(work, out) == outside, f"seed {seed}: a file outside the plan folder changed"
    if code == 2:
        lines = err.strip().splitlines()
        assert lines and all(ln.startswith("error: ") for ln in lines), err
        assert snapshot(out, tmp_path / "none") == previous, (
            "a failed run touched the previous plan"
        )
        return
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    n = containers_in(paths["shipments"])
    if n is not None:
        assert summary["containers_assigned"] + summary["containers_unassigned"] == n
    scope = flags[1:2] if flags[:1] == ["--scope"] else []
    check_args = [str(out), str(paths["shipments"]), *_options(paths)]
    code, stdout, err = run("check", *check_args, *(["--scope", *scope] if scope else []))
    assert code == 0, f"seed {seed}: {stdout} {err}"


def _options(paths: dict[str, Path]) -> list[str]:
    args: list[str] = []
    for name in ("departures", "rates", "border_quota", "trucking"):
        if name in paths:
            args += [f"--{name.replace('_', '-')}", str(paths[name])]
    return args
