"""Writing maps and reports to files: the only module of :mod:`maps` that writes."""

from __future__ import annotations

from pathlib import Path

import folium

from maps.assets import OfflineError, make_offline, outside_urls
from maps.report import report_html
from network import Network
from network.files import write_atomic
from routing.domain.plan import Plan


def render(m: folium.Map, *, offline: bool = False) -> str:
    """The map as one HTML page; offline: checked to load nothing from outside."""
    if offline:
        make_offline(m)
    html = m.get_root().render()
    if offline and (urls := outside_urls(html)):
        raise OfflineError(f"offline map still loads {', '.join(urls[:5])}")
    return html


def save(m: folium.Map, path: str | Path, *, offline: bool = False) -> None:
    """Write map ``m`` as one HTML file. ``offline``: Leaflet inlined, no tiles, the bundled
    country outlines, and no outside request at all (checked before writing)."""
    write_atomic(path, render(m, offline=offline))


def write_report(
    plan: Plan,
    net: Network,
    path: str | Path,
    *,
    offline: bool = False,
    tiles: str | None = None,
    lang: str = "en",
) -> None:
    """Write the plan report (KPIs, map, charts, tables) as one self-contained HTML file,
    every label in ``lang`` (``en`` or ``zh``)."""
    write_atomic(path, report_html(plan, net, offline=offline, tiles=tiles, lang=lang))
