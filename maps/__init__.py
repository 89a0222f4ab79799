"""Folium maps of the network and of a plan, and the one-file HTML plan report.

Maps read a plan and a network and never solve. ``offline=True`` makes files that load
nothing from outside (Leaflet inlined from the installed ``xstatic-leaflet`` package, no tile
layer, bundled Natural Earth country outlines).

>>> import maps, network
>>> net = network.load()
>>> maps.save(maps.network_map(net, offline=True), "network.html", offline=True)  # doctest: +SKIP
"""

from maps.assets import OfflineError, make_offline, outside_urls
from maps.draw import check_tiles, plan_map, train_views
from maps.io import render, save, write_report
from maps.network_draw import network_map
from maps.report import report_html

__all__ = [
    "OfflineError",
    "check_tiles",
    "make_offline",
    "network_map",
    "outside_urls",
    "plan_map",
    "render",
    "report_html",
    "save",
    "train_views",
    "write_report",
]
