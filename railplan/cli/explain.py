"""``railplan explain``: why each unassigned and late shipment of a written plan is so (verified
reason codes), and the binding resources ranked by the exact saving of one more unit; writes
``explain.csv`` (atomically) and prints a summary."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import click

from network.files import write_atomic
from railplan.cli.app import TIME_LIMIT, _err, handle_errors, load_net, main
from routing.api import make_problem
from routing.domain.check import check
from routing.domain.model import DEFAULT_UNASSIGNED_PENALTY_PER_TEU
from routing.domain.plan import Plan
from routing.explain import DEFAULT_RESOLVE_SECONDS, DEFAULT_TOP, Explanation, explain
from routing.io import (
    InputError,
    neutralise,
    read_border_quota,
    read_departures,
    read_plan,
    read_rates,
    read_shipments,
    read_trucking,
)
from routing.io.factors import load_factors

#: the columns of ``explain.csv`` (README: railplan explain)
EXPLAIN_COLUMNS = (
    "kind",
    "subject",
    "code",
    "containers",
    "teu",
    "relaxed",
    "base",
    "carried",
    "saving_usd",
    "max_saving_usd",
    "exact",
    "detail",
)


@main.command("explain")
@click.argument("plan_dir", type=click.Path(file_okay=False))
@click.option("--top", type=click.IntRange(0, 1000), default=DEFAULT_TOP, show_default=True)
@click.option(
    "--candidates",
    type=click.IntRange(0, 10_000),
    help="Binding-resource candidates re-solved, best by the estimate (default 3 x --top).",
)
@click.option(
    "--time-limit",
    type=TIME_LIMIT,
    default=DEFAULT_RESOLVE_SECONDS,
    show_default=True,
    help="Seconds per re-solve of one part.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Default PLAN_DIR/explain.csv.")
@click.option("--rates", type=click.Path(), help="The contract rates the plan used.")
@click.option("--trucking", type=click.Path(), help="The trucking sheet the plan used.")
@click.option(
    "--border-quota", type=click.Path(), help="The border_quota file the plan used (per-date rows)."
)
@click.option("--emission-factors", type=click.Path(), help="The factor table the plan used.")
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@click.option(
    "--report/--no-report",
    default=True,
    show_default=True,
    help="Draw PLAN_DIR/report.html again with an explanations section (when it exists).",
)
@handle_errors
def explain_cmd(
    plan_dir: str,
    top: int,
    candidates: int | None,
    time_limit: float,
    out: str | None,
    rates: str | None,
    trucking: str | None,
    border_quota: str | None,
    emission_factors: str | None,
    network_dir: str | None,
    as_json: bool,
    report: bool,
) -> None:
    """Explain the plan in PLAN_DIR: a verified reason per unassigned and late shipment, and
    the --top binding resources by the exact saving of one more unit."""
    target = Path(out) if out else Path(plan_dir) / "explain.csv"
    plan = _read(plan_dir, rates, trucking, border_quota, emission_factors, network_dir)
    _check_target(target)
    waiting = sum(u.containers for u in plan.unassigned)
    late = sum(a.containers for a in plan.assignments if a.late_days > 0)
    _err(
        f"explaining {waiting} unassigned and {late} late container(s) of {plan_dir}, "
        f"{time_limit:g} s per re-solve"
    )
    ex = explain(plan, top=top, candidates=candidates, time_limit=time_limit)
    write_atomic(target, explain_csv(ex))
    page = Path(plan_dir) / "report.html"
    if report and page.is_file():
        redraw_report(page, plan, ex, network_dir)
    if as_json:
        click.echo(json.dumps(_as_dict(ex), indent=2, ensure_ascii=False))
    else:
        _print(ex)
    _err(f"explanations written to {target}")


def _check_target(target: Path) -> None:
    """Refuse to replace a file that is not an ``explain.csv`` (its header differs)."""
    if target.is_dir():
        raise InputError([f"--out {target}: is a folder; expected a file name"])
    if target.exists():
        try:
            with target.open(encoding="utf-8") as f:
                head = f.readline().strip()
        except (OSError, UnicodeDecodeError):
            head = ""
        if head != ",".join(EXPLAIN_COLUMNS):
            raise InputError(
                [f"--out {target}: exists and is not an explain.csv; expected a new file name"]
            )
    if not target.parent.exists():
        raise InputError([f"--out {target}: folder {target.parent} does not exist"])


def _read(
    plan_dir: str,
    rates: str | None,
    trucking: str | None,
    border_quota: str | None,
    emission_factors: str | None,
    network_dir: str | None,
) -> Plan:
    """The plan of ``plan_dir`` on the problem its ``inputs/`` and ``summary.json`` give
    (with the files given), checked by :func:`routing.check`: a plan its inputs do not
    reproduce is refused (exit 2), as explanations of it would be wrong."""
    folder = Path(plan_dir)
    summary_path, inputs = folder / "summary.json", folder / "inputs"
    problems = [
        f"{p}: file not found (not a plan folder?)"
        for p in (summary_path, *(inputs / n for n in ("shipments.json", "departures.json")))
        if not p.is_file()
    ]
    if problems:
        raise InputError(problems)
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        penalty = float(
            summary.get("unassigned_penalty_per_teu", DEFAULT_UNASSIGNED_PENALTY_PER_TEU)
        )
        carbon = float(summary.get("carbon_price_per_t", 0.0))
    except (ValueError, AttributeError, TypeError) as e:
        raise InputError([f"{summary_path}: not a plan summary ({e})"]) from e
    net = load_net(network_dir)
    legs = read_trucking(trucking, net) if trucking else None
    ships = read_shipments(inputs / "shipments.json", net, legs, origins_served=False)
    deps = read_departures(inputs / "departures.json", net)
    quota: dict[str, int] = {}
    by_date: dict[Any, int] = {}
    quota_file = border_quota or inputs / "border_quota.json"
    if Path(quota_file).is_file() or border_quota:
        quota, by_date = read_border_quota(quota_file, net)
    problem = make_problem(
        ships,
        net,
        deps,
        border_quota=quota,
        border_quota_by_date=by_date,
        trucking=legs,
        unassigned_penalty=penalty,
        emission_factors=load_factors(emission_factors),
        carbon_price=carbon,
        inputs=dict(summary.get("inputs", {})),
    )
    if rates:
        rate_map = read_rates(
            rates,
            {s.shipment_id for s in problem.shipments},
            {d.departure_id for d in problem.departures},
        )
        problem = dataclasses.replace(problem, rates=rate_map)
    plan = read_plan(folder, problem)
    errs = check(plan, problem)
    if errs:
        hint = "pass the --rates, --trucking, --border-quota or --emission-factors it was made with"
        raise InputError(
            [f"{plan_dir}: its inputs/ do not reproduce the plan ({hint}): {e}" for e in errs[:10]]
        )
    return plan


def redraw_report(page: Path, plan: Plan, ex: Explanation, network_dir: str | None) -> None:
    """Draw ``report.html`` again with the explanations, in the language it was drawn in
    (its ``<html lang>``) and offline if it loads nothing from outside (else with the default
    tiles)."""
    from maps.assets import outside_urls
    from maps.report import report_html

    old = page.read_text(encoding="utf-8", errors="replace")
    lang = "zh" if '<html lang="zh' in old[:2000] else "en"
    offline = not outside_urls(old)
    rows = [
        (f.kind, f.shipment_id, f.code, f.containers, f.saving_usd, f.detail) for f in ex.findings
    ] + [
        ("resource", r.resource, r.kind, None, r.saving_usd, f"{r.unit}; {r.detail}")
        for r in ex.resources
    ]
    html = report_html(plan, load_net(network_dir), offline=offline, lang=lang, explanations=rows)
    write_atomic(page, html)
    _err(f"report drawn again with the explanations: {page}")


def explain_csv(ex: Explanation) -> str:
    """``explain.csv``: a row per finding (``unassigned`` / ``late``), then per resource."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPLAIN_COLUMNS)
    for f in ex.findings:
        row = dataclasses.asdict(f)
        row["subject"] = row.pop("shipment_id")
        w.writerow([_cell(row.get(c, "")) for c in EXPLAIN_COLUMNS])
    for r in ex.resources:
        row = {**dataclasses.asdict(r), "kind": "resource", "subject": r.resource, "code": r.kind}
        row["relaxed"] = r.unit
        w.writerow([_cell(row.get(c, "")) for c in EXPLAIN_COLUMNS])
    return buf.getvalue()


def _cell(v: object) -> object:
    if isinstance(v, bool):
        return "true" if v else "false"
    return neutralise(v)


def _as_dict(ex: Explanation) -> dict[str, Any]:
    return {
        "findings": [dataclasses.asdict(f) for f in ex.findings],
        "resources": [dataclasses.asdict(r) for r in ex.resources],
        "candidates": ex.candidates,
        "resolves": ex.resolves,
        "seconds": ex.seconds,
    }


def _print(ex: Explanation) -> None:
    """The summary: one line per shipment (its codes), then the ranked resources."""
    by: dict[tuple[str, str], list[str]] = {}
    for f in ex.findings:
        by.setdefault((f.kind, f.shipment_id), []).append(f.code)
    n_un = sum(1 for k, _ in by if k == "unassigned")
    click.echo(f"{n_un} unassigned and {len(by) - n_un} late shipment(s) explained")
    for f in sorted(ex.findings, key=lambda f: (f.kind != "unassigned", f.shipment_id)):
        if f.code in by.get((f.kind, f.shipment_id), [])[:1]:
            codes = ";".join(by[(f.kind, f.shipment_id)])
            click.echo(
                f"  {f.kind:<10} {f.shipment_id:<16} {f.containers:>3} x  {codes:<34} {f.detail}"
            )
    click.echo(
        f"binding resources: top {len(ex.resources)} of {ex.candidates} candidate(s), "
        f"{ex.resolves} re-solves in {ex.seconds:.1f} s"
    )
    for i, r in enumerate(ex.resources, 1):
        exact = "exact" if r.exact else f"up to {r.max_saving_usd:,.0f}"
        click.echo(
            f"  {i:>2}. {r.kind:<12} {r.resource:<24} saves {r.saving_usd:>12,.0f} USD ({exact})"
            f"  {r.detail}"
        )
