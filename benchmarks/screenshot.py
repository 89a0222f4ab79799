"""Screenshots of offline maps and reports in headless Chromium (for the README).

``python -m benchmarks.screenshot PLAN_DIR [DOCS_DIR]`` reads the plan written by ``railplan demo``
(default ``out/demo``), draws its offline map and report and saves ``map.png`` and
``report.png`` into ``DOCS_DIR`` (default ``docs``). It needs Playwright and a Chromium
(Debian's ``/usr/bin/chromium`` by default, ``RAILPLAN_CHROMIUM`` to name another); every
request that leaves the machine is blocked, so the pictures show what an offline reader sees.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import maps
import network
import routing

CHROMIUM = os.environ.get("RAILPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def launch(playwright: Any) -> Any:
    """Headless Chromium as the tests and the screenshots use it."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))


def capture(
    html_path: str | Path,
    png_path: str | Path,
    *,
    width: int = 1280,
    height: int = 800,
    full_page: bool = False,
    wait_ms: int = 600,
) -> list[str]:
    """Open ``html_path`` with outside requests blocked and save a PNG; returns the console
    errors seen (an empty list for a clean page)."""
    from playwright.sync_api import sync_playwright  # deferred: a test extra, not a dependency

    errors: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route("http*://**", lambda route: route.abort())
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(Path(html_path).resolve().as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(wait_ms)
            Path(png_path).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png_path), full_page=full_page)
        finally:
            browser.close()
    return errors


def _demo_plan(plan_dir: Path) -> tuple[Any, Any]:
    """The demo's network and plan, read back from ``plan_dir`` (nothing is solved)."""

    root = Path(__file__).resolve().parent.parent
    net = network.load()
    summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))
    inputs = summary.get("inputs", {})
    ships = routing.read_shipments(root / "data" / "samples" / "shipments.csv", net)
    start = inputs.get("horizon_start")
    problem = routing.make_problem(
        ships,
        net,
        start=None if start is None else __import__("datetime").date.fromisoformat(start),
        days=int(inputs["horizon_days"]) if "horizon_days" in inputs else None,
        scope=inputs.get("scope", "shanxi"),
        unassigned_penalty=float(summary.get("unassigned_penalty_per_teu", 20_000.0)),
    )
    return net, routing.read_plan(plan_dir, problem)


def write_readme_screenshots(plan_dir: str | Path, docs_dir: str | Path) -> list[str]:
    """Draw the plan in ``plan_dir`` offline and save ``docs_dir/map.png`` and
    ``docs_dir/report.png``; returns console errors (none expected)."""

    net, plan = _demo_plan(Path(plan_dir))
    docs = Path(docs_dir)
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        map_html = Path(tmp) / "map.html"
        report_html = Path(tmp) / "report.html"
        maps.save(maps.plan_map(plan, net, offline=True), map_html, offline=True)
        maps.write_report(plan, net, report_html, offline=True)
        errors += capture(map_html, docs / "map.png", width=1280, height=760)
        errors += capture(report_html, docs / "report.png", width=1280, height=1500)
    return errors


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    plan_dir = Path(args[0]) if args else Path("out/demo")
    docs = Path(args[1]) if len(args) > 1 else Path("docs")
    errors = write_readme_screenshots(plan_dir, docs)
    for e in errors:
        sys.stderr.write(f"console error: {e}\n")
    sys.stderr.write(f"wrote {docs / 'map.png'} and {docs / 'report.png'}\n")
    return 1 if errors else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
