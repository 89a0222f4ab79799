"""The maps of a job's plan (``map.html``, ``report.html``), drawn in the solve process for
plan and re-plan jobs alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import network
from routing.domain.plan import Plan


def drawer(plan: Plan, net: network.Network, offline: bool, lang: str) -> Callable[[Path], None]:
    """What writes a plan's ``map.html`` and ``report.html`` into its folder."""

    def draw(folder: Path) -> None:
        import maps  # folium and matplotlib: in the solve process only

        m = maps.plan_map(plan, net, offline=offline, lang=lang)
        maps.save(m, folder / "map.html", offline=offline)
        maps.write_report(plan, net, folder / "report.html", offline=offline, lang=lang)

    return draw


__all__ = ["drawer"]
