"""``railplan explain``: on a small plan made by ``railplan plan``, where one train is full,
one shipment is dangerous goods and one cannot be on time; bad input exits 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from railplan.cli import main

DEPARTURES = """\
departure_id,origin,destination,border_port,depart_date,border_offset_days,transit_days,capacity_teu,max_gross_t,fixed_cost,rate_per_teu,min_load_teu,reefer_plugs,dg_allowed
ZD-MOW-E-20261207,zhongding,moscow,erenhot,2026-12-07,1,13,25,1300.0,1000.0,1610.0,0,0,false
"""
SHIPMENTS = """\
shipment_id,origin,destination,containers,container_type,gross_t,ready_date,due_date,dg_class
A,zhongding,moscow,6,40HC,15,2026-12-05,2027-01-10,
B,zhongding,moscow,7,40HC,15,2026-12-05,2027-01-10,
C,zhongding,moscow,2,40HC,15,2026-12-05,2027-01-10,3
LATE,zhongding,moscow,1,20GP,10,2026-12-05,2026-12-10,
"""


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan: 25 TEU on the one train; A and B want 26 TEU in 40HC, LATE 1 TEU (a 20GP:
    it rides, 10 days late, 1,000 USD of lateness against 20,000 of leaving it, and leaving
    it would not free a 40 ft slot); C is dangerous goods."""
    d = tmp_path_factory.mktemp("explain")
    (d / "departures.csv").write_text(DEPARTURES, encoding="utf-8")
    (d / "shipments.csv").write_text(SHIPMENTS, encoding="utf-8")
    code, _out, err = run(
        "plan",
        str(d / "shipments.csv"),
        "--departures",
        str(d / "departures.csv"),
        "--out",
        str(d / "plan"),
        "--no-maps",
        "--quiet",
    )
    assert code == 0, err
    return d / "plan"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_explain_writes_verified_codes_and_exact_savings(plan_dir: Path) -> None:
    """The train takes 12 of the 13 40HC (24 TEU) and LATE: 1 left, TRAIN_FULL_TEU; one more 40 ft
    slot carries it, saving the 2 x 20,000 USD penalty less 2 x 1,610 freight = 36,780."""
    code, out, err = run("explain", str(plan_dir), "--top", "3")
    assert code == 0, err
    rows = read(plan_dir / "explain.csv")
    by = {(r["kind"], r["subject"], r["code"]): r for r in rows}
    # without the DG rule C would still wait for room: both rules together carry it
    c = by[("unassigned", "C", "SEVERAL_RULES")]
    assert c["detail"].startswith("DANGEROUS_GOODS + TRAIN_FULL_TEU together")
    assert c["exact"] == "true" and c["carried"] == "2"
    assert ("late", "LATE", "DUE_BEFORE_EARLIEST_ARRIVAL") in by
    full = [r for r in rows if r["code"] == "TRAIN_FULL_TEU"]
    assert sum(int(r["containers"]) for r in full) == 1
    slot = by[("resource", "ZD-MOW-E-20261207", "TRAIN_TEU")]
    assert float(slot["saving_usd"]) == 36780.0
    assert slot["exact"] == "true"
    assert "TRAIN_TEU" in out and "36,780" in out
    assert "SEVERAL_RULES" in out
    assert "explanations written to" in err


def test_explain_json_and_out(plan_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "why.csv"
    code, out, err = run("explain", str(plan_dir), "--json", "--out", str(target), "--top", "1")
    assert code == 0, err
    doc = json.loads(out)
    assert len(doc["resources"]) == 1
    assert {f["code"] for f in doc["findings"]} >= {"SEVERAL_RULES", "TRAIN_FULL_TEU"}
    assert target.read_text(encoding="utf-8").startswith("kind,subject,code,")
    # an explain.csv may be replaced; any other file is refused and left as it was
    code, _out, _err = run("explain", str(plan_dir), "--out", str(target), "--top", "0")
    assert code == 0
    other = tmp_path / "notes.csv"
    other.write_text("my,notes\n", encoding="utf-8")
    code, _out, err = run("explain", str(plan_dir), "--out", str(other))
    assert code == 2
    assert err.startswith("error: --out ") and "not an explain.csv" in err
    assert other.read_text(encoding="utf-8") == "my,notes\n"


def test_not_a_plan_folder_exits_2(tmp_path: Path) -> None:
    code, _out, err = run("explain", str(tmp_path / "nowhere"))
    assert code == 2
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines)
    assert "summary.json: file not found" in lines[0]
    assert "Traceback" not in err


def test_a_plan_its_inputs_do_not_reproduce_exits_2(plan_dir: Path, tmp_path: Path) -> None:
    """A tampered freight cost: the plan is not the one its inputs give; refused, nothing
    written."""
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(plan_dir, bad)
    (bad / "explain.csv").unlink(missing_ok=True)
    text = (bad / "assignments.csv").read_text(encoding="utf-8").splitlines()
    head = text[0].split(",")
    i = head.index("freight_cost")
    cells = text[1].split(",")
    cells[i] = str(float(cells[i]) + 1000)
    text[1] = ",".join(cells)
    (bad / "assignments.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    code, _out, err = run("explain", str(bad))
    assert code == 2
    assert err.startswith("error: ") and "do not reproduce the plan" in err
    assert not (bad / "explain.csv").exists()


@pytest.mark.parametrize(("lang", "heading"), [("en", "Explanations ("), ("zh", "原因分析（")])
def test_report_is_drawn_again_with_the_explanations(
    plan_dir: Path, tmp_path: Path, lang: str, heading: str
) -> None:
    """An offline report in either language stays offline and in its language, and gains
    the explanations section (one row per finding and resource)."""
    import shutil

    from maps.assets import outside_urls

    folder = tmp_path / "p"
    shutil.copytree(plan_dir, folder)
    (folder / "explain.csv").unlink(missing_ok=True)
    code, _out, err = run("map", str(folder), "--offline", "--lang", lang)
    assert code == 0, err
    assert 'id="explanations"' not in (folder / "report.html").read_text(encoding="utf-8")
    code, _out, err = run("explain", str(folder), "--top", "2")
    assert code == 0, err
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert outside_urls(page) == []
    assert (
        page.startswith("<!DOCTYPE html>")
        and f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    )
    section = page.split('<section id="explanations">')[1].split("</section>")[0]
    assert heading in section
    n_rows = len(read(folder / "explain.csv"))
    assert section.count("<tr>") == n_rows + 1  # the header row
    assert "SEVERAL_RULES" in section and "TRAIN_TEU" in section
    code, _out, _err = run("explain", str(folder), "--no-report", "--top", "0")
    assert code == 0
    assert all(r["kind"] != "resource" for r in read(folder / "explain.csv"))
    assert (folder / "report.html").read_text(encoding="utf-8") == page  # left as it was


def test_border_quota_file_is_read(plan_dir: Path, tmp_path: Path) -> None:
    """A per-date quota of 0 at Erenhot on the train's crossing day: the plan breaks it, so
    the plan is refused with the checker's line (the file is read, not ignored)."""
    quota = tmp_path / "border_quota.csv"
    quota.write_text("border_port,trains_per_day,date\nerenhot,0,2026-12-08\n", encoding="utf-8")
    out = tmp_path / "x.csv"
    code, _out, err = run("explain", str(plan_dir), "--border-quota", str(quota), "--out", str(out))
    assert code == 2, err
    assert "do not reproduce the plan" in err and "erenhot" in err
    assert not out.exists()


@pytest.mark.parametrize("summary", ["{not json", "[]"])
def test_a_broken_summary_exits_2(plan_dir: Path, tmp_path: Path, summary: str) -> None:
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(plan_dir, bad)
    (bad / "summary.json").write_text(summary, encoding="utf-8")
    code, _out, err = run("explain", str(bad))
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith("error: ") and "summary.json: not a plan summary" in line
