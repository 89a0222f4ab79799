"""Builders shared by tests/test_maps.py and tests/test_browser.py (plain functions; each test
file wraps them in its own fixtures).

The tiny network: two parks in Shanxi, one to Moscow via Erenhot/Zamyn-Uud (Mongolian
corridor), one to Almaty via Alashankou/Dostyk (Western corridor), with a junction on each
side, a truck-only city, and a node named with markup to prove escaping.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import network
import routing
from network import Departure, Network
from routing.domain.model import Problem, Shipment
from routing.domain.plan import Assignment, Plan, TrainLoad

XSS = "<img src=x onerror=alert(1)>"
#: breaks out of a JavaScript template literal if text is put there unescaped
JS_XSS = "${alert(2)}`"
MONDAY = dt.date(2025, 3, 3)

NODES = [
    # id, name_en, name_zh, kind, country, lat, lon, gauge_mm, gauge_change, dwell, per day
    ("alpha", "Alpha Park", "甲园", "park", "CN", 37.87, 112.56, 1435, "false", 0, ""),
    ("beta", "Beta Park", "乙园", "park", "CN", 35.62, 111.37, 1435, "false", 0, ""),
    ("jining", "Jining junction", "集宁", "junction", "CN", 41.03, 113.11, 1435, "false", 0, ""),
    ("erenhot", "Erenhot", "二连浩特", "border", "CN", 43.65, 111.98, 1435, "true", 12, "1"),
    ("zamyn", "Zamyn-Uud", "扎门乌德", "border", "MN", 43.72, 111.91, 1520, "false", 0, ""),
    ("ulaan", "Ulaanbaatar", "乌兰巴托", "junction", "MN", 47.91, 106.88, 1520, "false", 0, ""),
    ("moscow", "Moscow", "莫斯科", "destination", "RU", 55.75, 37.62, 1520, "false", 0, ""),
    ("hami", "Hami", "哈密", "junction", "CN", 42.83, 93.51, 1435, "false", 0, ""),
    ("ala", "Alashankou", "阿拉山口", "border", "CN", 45.17, 82.57, 1435, "true", 10, "2"),
    ("dostyk", "Dostyk", "多斯特克", "border", "KZ", 45.25, 82.48, 1520, "false", 0, ""),
    ("almaty", "Almaty", "阿拉木图", "destination", "KZ", 43.25, 76.92, 1520, "false", 0, ""),
    ("gamma", "Gamma <b>town</b>", "丙城", "city", "CN", 38.41, 112.73, 1435, "false", 0, ""),
]
LINKS = [
    # from, to, mode, km
    ("alpha", "beta", "rail", 330),
    ("alpha", "jining", "rail", 480),
    ("jining", "erenhot", "rail", 440),
    ("erenhot", "zamyn", "rail", 10),
    ("zamyn", "ulaan", "rail", 800),
    ("ulaan", "moscow", "rail", 5500),
    ("beta", "hami", "rail", 2300),
    ("hami", "ala", "rail", 1050),
    ("ala", "dostyk", "rail", 12),
    ("dostyk", "almaty", "rail", 700),
    ("gamma", "alpha", "truck", 80),
]
SERVICES = [
    # id, corridor, origin, destination, border, weekdays, capacity, min load, transit
    ("AL-MOW", "mongolian", "alpha", "moscow", "erenhot", "Mon", 100, 20, 14),
    ("BE-ALA", "western", "beta", "almaty", "ala", "Wed", 100, 60, 8),
]


def write_network(folder: Path) -> Path:
    """Write the tiny network's three CSV files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "nodes.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(network.io.NODE_COLUMNS)
        for nid, en, zh, kind, cc, lat, lon, gauge, change, dwell, per_day in NODES:
            w.writerow(
                [nid, en, zh, "", kind, cc, lat, lon, gauge, change, dwell, per_day, "", "test"]
            )
    with (folder / "links.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(network.io.LINK_COLUMNS)
        for a, b, mode, km in LINKS:
            w.writerow([a, b, mode, "", km, 40 if mode == "rail" else 60, "", "test"])
    with (folder / "services.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(network.io.SERVICE_COLUMNS)
        for sid, corr, o, d, bp, days, cap, min_load, transit in SERVICES:
            w.writerow(
                [sid, f"{o} to {d}", "shanxi", corr, o, d, bp, "", days, 1, cap, 1500, 50_000,
                 1_000, min_load, 0, "false", transit, "test"]
            )  # fmt: skip
    return folder


def tiny_shipments() -> list[Shipment]:
    """A batch: two customers with hostile names on the Moscow line; a small lot to Almaty
    that cannot fill the train's minimum load (left unassigned, the train is not run)."""
    return [
        Shipment(
            shipment_id="SH-1",
            origin="alpha",
            destination="moscow",
            containers=10,
            gross_t=18.0,
            ready_date=MONDAY,
            due_date=MONDAY + dt.timedelta(days=30),
            customer=XSS,
        ),
        Shipment(
            shipment_id=f"SH-2{JS_XSS}",
            origin="alpha",
            destination="moscow",
            containers=5,
            gross_t=18.0,
            ready_date=MONDAY,
            due_date=MONDAY + dt.timedelta(days=30),
            customer=f"Acme {JS_XSS}",
        ),
        Shipment(
            shipment_id="SH-3",
            origin="beta",
            destination="almaty",
            containers=2,
            gross_t=18.0,
            ready_date=MONDAY,
            due_date=MONDAY + dt.timedelta(days=20),
            customer=XSS,
        ),
    ]


def tiny_plan(net: Network) -> Plan:
    """The tiny batch planned over two weeks (the tests solve; maps never do)."""
    problem = routing.make_problem(tiny_shipments(), net, start=MONDAY, days=14)
    return routing.solve_problem(problem, time_limit=10)


def synthetic_plan(net: Network, n_trains: int = 2_000, per_train: int = 3) -> Plan:
    """A national-scale plan built directly (no solve): ``n_trains`` running trains on the
    tiny network's two lines over a year, ``per_train`` shipments each."""
    lines = [
        ("AL-MOW", "mongolian", "alpha", "moscow", "erenhot", 14, 4),
        ("BE-ALA", "western", "beta", "almaty", "ala", 8, 5),
    ]
    routes = {sid: net.service_route(s).nodes for s in net.services for sid in [s.service_id]}
    deps, trains, ships, assigns = [], [], [], []
    for i in range(n_trains):
        sid, corr, o, d, bp, transit, offset = lines[i % 2]
        day = MONDAY + dt.timedelta(days=(i // 2) % 365)
        dep_id = f"{sid}-{i:05d}"
        deps.append(
            Departure(
                departure_id=dep_id,
                service_id=sid,
                corridor=corr,
                origin=o,
                destination=d,
                border_port=bp,
                depart_date=day,
                border_offset_days=offset,
                transit_days=transit,
                capacity_teu=100,
                route=routes[sid],
            )
        )
        load = 0
        for k in range(per_train):
            sh_id = f"S{i:05d}-{k}"
            ships.append(
                Shipment(
                    shipment_id=sh_id,
                    origin=o,
                    destination=d,
                    containers=10,
                    gross_t=18.0,
                    ready_date=day,
                    customer=f"Customer {i % 97}",
                )
            )
            assigns.append(
                Assignment(
                    shipment_id=sh_id,
                    departure_id=dep_id,
                    containers=10,
                    teu=20,
                    gross_t=180.0,
                    origin=o,
                    destination=d,
                    border_port=bp,
                    depart_date=day,
                    arrival_date=day + dt.timedelta(days=transit),
                    late_days=0,
                    freight_cost=20_000.0,
                    truck_cost=0.0,
                    late_cost=0.0,
                )
            )
            load += 20
        trains.append(
            TrainLoad(
                departure_id=dep_id,
                origin=o,
                destination=d,
                border_port=bp,
                depart_date=day,
                runs=True,
                load_teu=load,
                capacity_teu=100,
                utilization=load / 100,
                gross_t=180.0 * per_train,
                fixed_cost=50_000.0,
            )
        )
    problem = Problem(shipments=tuple(ships), departures=tuple(deps), quota={"erenhot": 1})
    fixed = 50_000.0 * n_trains
    freight = 20_000.0 * len(assigns)
    return Plan(
        status="feasible",
        objective=fixed + freight,
        bound=0.0,
        gap=1.0,
        total_cost=fixed + freight,
        assignments=tuple(assigns),
        trains=tuple(trains),
        unassigned=(),
        summary={
            "status": "feasible",
            "cost": {"fixed": fixed, "freight": freight, "truck": 0.0, "late": 0.0},
        },
        problem=problem,
    )
