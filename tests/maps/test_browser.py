"""The offline map and report in a real headless Chromium with every outside request blocked.

Skipped, with the reason, only where /usr/bin/chromium is missing or Playwright cannot start
it (``make browser`` installs Debian's chromium).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import maps
import network
from benchmarks.screenshot import CHROMIUM, launch
from routing.domain.plan import Plan
from tests.maps.plans import JS_XSS, XSS, tiny_plan, write_network

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, or a skip that says why there is none."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (make browser installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        try:
            b = launch(p)
        except Exception as e:
            pytest.skip(f"Playwright cannot launch {CHROMIUM}: {e}")
        yield b
        b.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path, Path]:
    """The tiny plan's offline map.html and report.html."""
    folder = tmp_path_factory.mktemp("html")
    net = network.load(write_network(folder / "net"))
    plan = tiny_plan(net)
    maps.save(maps.plan_map(plan, net, offline=True), folder / "map.html", offline=True)
    maps.write_report(plan, net, folder / "report.html", offline=True)
    return plan, folder / "map.html", folder / "report.html"


class Page:
    """A page with outside requests blocked and every console error, page error, dialog and
    outside request attempt recorded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.page.route("http*://**", self._block)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")

    def _block(self, route: Any) -> None:
        self.outside.append(route.request.url)
        route.abort()

    def _dialog(self, d: Any) -> None:
        self.dialogs.append(d.message)
        d.dismiss()

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.outside == []
        assert self.dialogs == []  # no alert(...) from a customer name ran


@pytest.fixture
def map_page(browser: Any, files: tuple[Plan, Path, Path]) -> Iterator[Page]:
    page = Page(browser, files[1])
    yield page
    page.page.close()


def test_offline_map_renders_trains_popup_and_slider(
    map_page: Page, files: tuple[Plan, Path, Path], tmp_path: Path
) -> None:
    plan = files[0]
    page = map_page.page
    assert page.locator(".leaflet-container").count() == 1
    running = sum(t.runs for t in plan.trains)
    assert page.locator("path.rp-train").count() == running == 1
    assert page.locator("path.rp-cancelled").count() == 2
    assert page.locator("path.rp-moving").count() == 1  # the train on day 0
    page.screenshot(path=str(tmp_path / "map.png"))

    # click a point on the line itself (the middle of its bounding box is off the line)
    x, y = page.locator("path.rp-train").evaluate(
        """p => { const q = p.getPointAtLength(p.getTotalLength() / 2);
                  const m = p.getScreenCTM();
                  return [q.x * m.a + q.y * m.c + m.e, q.x * m.b + q.y * m.d + m.f]; }"""
    )
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "AL-MOW-20250303" in text
    assert XSS in text and JS_XSS in text  # shown as text ...
    assert popup.locator("img").count() == 0  # ... not made into an element
    page.screenshot(path=str(tmp_path / "popup.png"))

    label = page.locator(".rp-day-label")
    before = page.locator("path.rp-moving").get_attribute("d")
    assert label.inner_text().startswith("Day 0 · 2025-03-03 · 1 train")
    slider = page.locator("input.rp-day")
    slider.focus()
    for _ in range(7):
        slider.press("ArrowRight")
    assert label.inner_text().startswith("Day 7 · 2025-03-10 · 1 train")
    assert page.locator("path.rp-moving").get_attribute("d") != before  # the train moved
    slider.fill("14")
    slider.dispatch_event("input")
    assert label.inner_text().startswith("Day 14 · 2025-03-17")
    page.screenshot(path=str(tmp_path / "slider.png"))
    map_page.assert_clean()


def test_offline_report_shows_map_charts_and_escaped_tables(
    browser: Any, files: tuple[Plan, Path, Path], tmp_path: Path
) -> None:
    rp = Page(browser, files[2])
    page = rp.page
    try:
        frame = page.frame_locator("#plan-map")
        frame.locator(".leaflet-container").wait_for()
        assert frame.locator("path.rp-train").count() == 1
        for chart in ("utilization", "timeline", "border", "cost"):
            img = page.locator(f"#chart-{chart} img")
            assert img.evaluate("i => i.complete && i.naturalWidth > 100")
        cell = page.locator("#unassigned td").nth(1)
        assert cell.inner_text() == XSS
        assert page.locator("#assignments img, #unassigned img").count() == 0
        assert JS_XSS in page.locator("#assignments").inner_text()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        rp.assert_clean()
    finally:
        page.close()


def test_offline_network_map_draws_corridors(browser: Any, tmp_path: Path) -> None:
    net = network.load(write_network(tmp_path / "net"))
    maps.save(maps.network_map(net, offline=True), tmp_path / "network.html", offline=True)
    np_ = Page(browser, tmp_path / "network.html")
    try:
        assert np_.page.locator("path.rp-corridor").count() == 2
        assert np_.page.locator(".rp-border").count() == 4
        np_.page.screenshot(path=str(tmp_path / "network.png"))
        np_.assert_clean()
    finally:
        np_.page.close()
