"""Writing maps and reports to files: the only module of :mod:`maps` that writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import folium

from maps.assets import OfflineError, make_offline, outside_urls
from maps.report import report_html
from network import Network
from routing.domain.plan import Plan


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write(path: str | Path, text: str) -> None:
    """Write atomically: a reader never sees half a file."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    _write(path, render(m, offline=offline))


def write_report(
    plan: Plan,
    net: Network,
    path: str | Path,
    *,
    offline: bool = False,
    tiles: str | None = None,
) -> None:
    """Write the plan report (KPIs, map, charts, tables) as one self-contained HTML file."""
    _write(path, report_html(plan, net, offline=offline, tiles=tiles))
