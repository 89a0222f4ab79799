"""Country outlines for offline maps: Natural Earth 1:110m admin-0 (public domain).

The bundled ``data/maps/countries-110m.geojson`` was made once from the TopoJSON of the npm
package ``world-atlas`` 2.0.2 (Natural Earth 4.1.0) with :func:`topojson_to_geojson`; see
``data/maps/README.md`` for the command. Offline maps draw it instead of a tile layer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from network.resources import data_path

OUTLINES_FILE = "countries-110m.geojson"

#: ISO 3166-1 numeric codes left out of the bundled file (Antarctica: never on a rail map).
DROPPED = frozenset({"010"})


def _decode_arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute (lon, lat) points of every arc of a quantized or plain TopoJSON topology."""
    tr = topo.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        pts: list[tuple[float, float]] = []
        x = y = 0.0
        for p in arc:
            if tr is None:
                pts.append((float(p[0]), float(p[1])))
                continue
            x += p[0]
            y += p[1]
            pts.append(
                (x * tr["scale"][0] + tr["translate"][0], y * tr["scale"][1] + tr["translate"][1])
            )
        arcs.append(pts)
    return arcs


def _ring(
    indexes: list[int], arcs: list[list[tuple[float, float]]], digits: int
) -> list[list[float]]:
    out: list[list[float]] = []
    for i in indexes:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        for k, (x, y) in enumerate(pts):
            if out and k == 0:
                continue  # arcs share their end point with the next arc's start
            pt = [round(x, digits), round(y, digits)]
            if not out or out[-1] != pt:
                out.append(pt)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def topojson_to_geojson(
    topo: dict[str, Any], object_name: str = "countries", *, digits: int = 2
) -> dict[str, Any]:
    """Convert one geometry collection of a TopoJSON topology to a GeoJSON FeatureCollection.

    Coordinates are rounded to ``digits`` decimals (2 decimals is about 1 km, finer than the
    1:110m source); degenerate rings of fewer than four points are dropped.
    """
    arcs = _decode_arcs(topo)
    features: list[dict[str, Any]] = []
    for geom in topo["objects"][object_name]["geometries"]:
        gid = str(geom.get("id", ""))
        if gid in DROPPED or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        coords = []
        for poly in polys:
            rings = [_ring(r, arcs, digits) for r in poly]
            rings = [r for r in rings if len(r) >= 4]
            if rings:
                coords.append(rings)
        if not coords:
            continue
        features.append(
            {
                "type": "Feature",
                "id": gid,
                "properties": {"name": geom.get("properties", {}).get("name", "")},
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def read_outlines(path: str | Path | None = None) -> dict[str, Any]:
    """The bundled country outlines as a GeoJSON FeatureCollection."""
    p = Path(path) if path is not None else data_path("maps", OUTLINES_FILE)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: country outlines not found (see data/maps/README.md)")
    data: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    return data
