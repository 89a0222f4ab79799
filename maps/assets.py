"""Offline maps: Leaflet inlined from an installed package, no tiles, bundled outlines.

Leaflet's ``dist`` files come from the PyPI package ``xstatic-leaflet`` (Leaflet 1.9.3, the
version folium 0.20 links to); nothing of Leaflet is copied into this repository. The maps of
this package use no other folium plugin, so Leaflet is all an offline map needs; an element
that asks for any other script or stylesheet makes :func:`make_offline` fail loudly rather
than leave an outside request in the file.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import folium
from branca.element import Element, Figure
from folium.elements import JSCSSMixin

from maps.elements import CountryOutlines
from maps.outlines import read_outlines

#: the only folium resources an offline map keeps, both provided inline from xstatic-leaflet
LEAFLET_RESOURCES = frozenset({"leaflet", "leaflet_css"})
#: folium's map-level resources that our maps never use (awesome markers, bootstrap, jQuery)
UNUSED_MAP_RESOURCES = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


class OfflineError(ValueError):
    """An offline map would still make an outside request."""


def leaflet_dir() -> Path:
    """Folder of Leaflet's dist files in the installed ``xstatic-leaflet`` package."""
    try:
        import xstatic.pkg.leaflet as xleaflet
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise OfflineError(
            "offline maps need the package xstatic-leaflet (pip install xstatic-leaflet)"
        ) from e
    return Path(xleaflet.BASE_DIR)


@functools.cache
def leaflet_inline() -> str:
    """``<style>`` and ``<script>`` of Leaflet, images as data URIs, source maps dropped."""
    base = leaflet_dir()
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        name = match.group(1)
        raw = (base / "images" / name).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(raw).decode('ascii')})"

    css = re.sub(r"url\(\s*['\"]?images/([\w.-]+\.png)['\"]?\s*\)", data_uri, css)
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    # a literal "</script" inside the library would end the inline element early
    js = js.replace("</script", "<\\/script")
    return f"<style>{css}</style>\n<script>{js}</script>"


def walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from walk(child)


def make_offline(m: folium.Map) -> folium.Map:
    """Turn ``m`` into a map that needs nothing from outside: no tile layers, Leaflet inlined,
    the bundled country outlines underneath. Idempotent; returns ``m``."""
    if getattr(m, "_railplan_offline", False):
        return m
    for key, child in list(m._children.items()):
        if isinstance(child, folium.TileLayer):
            del m._children[key]
    for el in walk(m):
        if not isinstance(el, JSCSSMixin):
            continue
        names = [n for n, _ in (*el.default_js, *el.default_css)]
        allowed = LEAFLET_RESOURCES | (UNUSED_MAP_RESOURCES if el is m else frozenset())
        missing = [n for n in names if n not in allowed]
        if missing:
            raise OfflineError(
                f"{type(el).__name__} needs {', '.join(missing)}, which has no offline copy"
            )
        # instance attributes: folium's class-level lists stay untouched for online maps
        el.default_js = []
        el.default_css = []
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(Element(leaflet_inline()), name="leaflet_inline")
    if not any(isinstance(c, CountryOutlines) for c in m._children.values()):
        m.add_child(CountryOutlines(read_outlines()))
    m._railplan_offline = True  # type: ignore[attr-defined]
    return m


class _ResourceFinder(HTMLParser):
    """Collects every URL an HTML page would fetch by itself (scripts, styles, images,
    frames) and every ``url(...)`` in inline styles; script bodies are not markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for attr in ("src", "href", "data", "poster", "background"):
            if attr in a and not (tag == "a" and attr == "href"):
                self.urls.append(a[attr])
        if "style" in a:
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", a["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)
            self.urls += re.findall(r"@import\s+['\"]([^'\"]+)", data)


def outside_urls(html: str) -> list[str]:
    """URLs in ``html`` that a browser would fetch from another host (not data: or #)."""
    finder = _ResourceFinder()
    finder.feed(html)
    return [u for u in finder.urls if re.match(r"^\s*(https?:)?//", u, re.IGNORECASE)]
