"""The Chinese report in a real headless Chromium, offline, every outside request blocked:
every visible label is Chinese (only ids, codes, numbers and dates of the plan stay as they
are), and the Chinese text is drawn with the CJK font (Chromium's own account of the fonts
it used for a node, through the DevTools protocol), not as boxes of a fallback font.

Skipped, with the reason, where Chromium is missing (``make browser``) or Debian's
fonts-noto-cjk is not installed (``make fonts``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import maps
import network
from routing.domain.plan import Plan
from tests.maps.plans import JS_XSS, XSS, tiny_plan, write_network
from tests.maps.test_browser import Page, browser

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with test_browser.py

#: a visible text that holds a Latin word must be one of these once the plan's own ids,
#: customers and dates are taken out (units and the product's and map library's names)
#: names that stay as they are in Chinese text: units, the program, the map library, the
#: emission standards
ALLOWED_WORDS = {"TEU", "railplan", "UTC", "Leaflet", "ISO", "GLEC"}
CJK = re.compile(r"[\u4e00-\u9fff]")
#: every element's own visible text, in the page and in the map's frame
VISIBLE_TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode, el = n.parentElement, t = n.textContent.trim();
    if (!t || !el || el.closest('script, style')) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || st.display === 'none' || !el.getClientRects().length)
      continue;
    out.push(t);
  }
  return out;
}"""


def _cjk_font_installed() -> bool:
    if shutil.which("fc-list") is None:
        return False
    res = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return "Noto Sans CJK" in res.stdout


@pytest.fixture(scope="module")
def zh_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    if not _cjk_font_installed():
        pytest.skip("no Noto Sans CJK font (make fonts installs Debian's fonts-noto-cjk)")
    folder = tmp_path_factory.mktemp("zh")
    net = network.load(write_network(folder / "net"))
    plan = tiny_plan(net)
    maps.write_report(plan, net, folder / "report.html", offline=True, lang="zh")
    return plan, folder / "report.html"


@pytest.fixture
def zh_page(browser: Any, zh_files: tuple[Plan, Path]) -> Iterator[Page]:
    page = Page(browser, zh_files[1])
    page.page.frame_locator("#plan-map").locator(".leaflet-container").wait_for()
    yield page
    page.page.close()


def _plan_words(plan: Plan) -> list[str]:
    """The plan's own ids and customers, longest first (taken out before the check)."""
    words = {XSS, JS_XSS, f"Acme {JS_XSS}"}
    words |= {s.shipment_id for s in plan.problem.shipments}
    words |= {s.customer for s in plan.problem.shipments}
    words |= {d.departure_id for d in plan.problem.departures}
    return sorted(words, key=len, reverse=True)


def _not_chinese(texts: list[str], plan: Plan) -> list[str]:
    left = []
    words = _plan_words(plan)
    for t in texts:
        rest = t
        for w in words:
            rest = rest.replace(w, " ")
        latin = set(re.findall(r"[A-Za-z]{2,}", rest)) - ALLOWED_WORDS
        if latin:
            left.append(t)
    return left


def test_every_visible_label_of_the_chinese_report_is_chinese(
    zh_page: Page, zh_files: tuple[Plan, Path]
) -> None:
    plan = zh_files[0]
    page = zh_page.page
    texts = page.evaluate(VISIBLE_TEXTS)
    assert len(texts) > 50 and sum(bool(CJK.search(t)) for t in texts) > 30
    assert _not_chinese(texts, plan) == []
    frame = page.frame_locator("#plan-map")
    legend = frame.locator(".rp-legend").inner_text()
    assert "班列颜色：装载率" in legend and "utilization" not in legend
    frame.locator(".leaflet-control-layers").hover()
    layers = frame.locator(".leaflet-control-layers-list").inner_text()
    assert "开行班列" in layers and "Running" not in layers
    assert frame.locator(".rp-day-label").inner_text().startswith("第 0 天 · 2025-03-03 · 1 列")
    zh_page.assert_clean()  # no outside request, no error, no dialog


def test_a_check_that_would_miss_english_labels_cannot(zh_files: tuple[Plan, Path]) -> None:
    """The filter above finds an English label among Chinese ones."""
    plan = zh_files[0]
    assert _not_chinese(["计划报告", "Plan report", "SH-1 · TEU 20"], plan) == ["Plan report"]


def _fonts_of(page: Any, selector: str) -> dict[str, int]:
    """The fonts Chromium used to draw the element's text: family -> glyph count."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"]: f["glyphCount"] for f in fonts}


def test_chinese_text_is_drawn_with_the_cjk_font_not_boxes(zh_page: Page) -> None:
    page = zh_page.page
    for selector in ("header h1", "#kpis h2", "#assignments th"):
        fonts = _fonts_of(page, selector)
        cjk = {f: n for f, n in fonts.items() if "CJK" in f}
        assert cjk and sum(cjk.values()) >= 2, (selector, fonts)
    # the glyphs have the CJK font's full-width advance: as wide as they are tall, where a
    # missing glyph's box of a Latin fallback font would be narrower
    width = page.evaluate(
        """() => { const s = document.createElement('span');
                   s.style.font = '40px "Noto Sans CJK SC"'; s.textContent = '计划报告';
                   document.body.appendChild(s); const w = s.getBoundingClientRect().width;
                   s.remove(); return w; }"""
    )
    assert 150 <= width <= 170, width
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans CJK SC\"', '计划')")
