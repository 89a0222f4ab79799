"""The bundled network: it loads and validates, names resolve in English and Chinese, the
timetable has stable ids, paths and border data are consistent, and bad data is reported
with file, row and column."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from geopy.distance import geodesic

import network
from network import NetworkError, UnknownPlaceError

REQUIRED = [
    "taiyuan",
    "zhongding",
    "houma",
    "datong",
    "yangquan",
    "changzhi",
    "jiexiu",
    "xiaoyi",
    "manzhouli",
    "zabaikalsk",
    "erenhot",
    "zamyn_uud",
    "alashankou",
    "dostyk",
    "khorgos",
    "altynkol",
    "mohan",
    "boten",
    "brest",
    "malaszewicze",
    "moscow",
    "minsk",
    "lodz",
    "duisburg",
    "hamburg",
    "paris",
    "almaty",
    "tashkent",
    "vientiane",
    "hanoi",
    "baku",
    "istanbul",
    "xian",
    "chengdu",
    "chongqing",
    "zhengzhou",
    "yiwu",
    "wuhan",
    "urumqi",
    "tianjin",
    "kunming",
    "shenyang",
]


def test_required_nodes_and_every_row_sourced(net: network.Network) -> None:
    assert set(REQUIRED) <= set(net.nodes)
    assert all(n.source for n in net.nodes.values())
    assert all(lk.source for lk in net.links)
    assert all(s.source for s in net.services)
    for park in REQUIRED[:8]:  # the Shanxi parks come first
        assert net.nodes[park].kind == "park" and net.nodes[park].country == "CN"


@pytest.mark.parametrize(
    ("name", "node"),
    [
        ("Taiyuan", "taiyuan"),
        ("太原", "taiyuan"),
        ("taiyuan", "taiyuan"),
        ("TAIYUAN", "taiyuan"),
        ("二连浩特", "erenhot"),
        ("Erlian", "erenhot"),
        ("Moscow", "moscow"),
        ("  Duisburg ", "duisburg"),
    ],
)
def test_names_resolve_in_english_and_chinese(net: network.Network, name: str, node: str) -> None:
    assert net.resolve(name) == node


def test_unknown_name_suggests(net: network.Network) -> None:
    with pytest.raises(UnknownPlaceError) as e:
        net.resolve("Duisberg")
    assert "did you mean 'duisburg'" in str(e.value)


def test_links_are_not_shorter_than_the_geodesic(net: network.Network) -> None:
    for lk in net.links:
        a, b = net.nodes[lk.a], net.nodes[lk.b]
        assert lk.distance_km >= 0.97 * geodesic((a.lat, a.lon), (b.lat, b.lon)).km, lk


def test_services_cover_all_five_ports_and_documented_lines(net: network.Network) -> None:
    shanxi = [s for s in net.services if s.scope == "shanxi"]
    assert len(shanxi) >= 15
    assert {"manzhouli", "erenhot", "alashankou", "khorgos", "mohan"} <= {
        s.border_port for s in shanxi
    }
    lines = {(s.origin, s.destination, s.border_port) for s in shanxi}
    assert ("taiyuan", "moscow", "erenhot") in lines
    assert ("zhongding", "paris", "erenhot") in lines
    assert ("changzhi", "moscow", "alashankou") in lines
    assert any(o == "yangquan" and d == "tashkent" for o, d, _ in lines)
    assert any(o == "houma" and p == "khorgos" for o, _, p in lines)
    assert any(p == "mohan" for _, _, p in lines)


def test_departures_have_stable_ids_and_border_days(net: network.Network) -> None:
    deps = net.departures(dt.date(2026, 12, 1), 28)
    assert deps == net.departures(dt.date(2026, 12, 1), 28)
    ids = [d.departure_id for d in deps]
    assert len(ids) == len(set(ids))
    zd = [d for d in deps if d.service_id == "ZD-PAR-E"]
    assert zd and all(d.departure_id == f"ZD-PAR-E-{d.depart_date:%Y%m%d}" for d in zd)
    for d in deps:
        assert d.route[0] == d.origin and d.route[-1] == d.destination
        assert d.border_port in d.route
        assert 0 <= d.border_offset_days < d.transit_days


def test_routes_cross_the_expected_countries(net: network.Network) -> None:
    r = net.route(["zhongding", "erenhot", "moscow"])
    assert r.countries[:3] == ("CN", "MN", "RU")
    paris = net.route(["zhongding", "erenhot", "paris"])
    assert {"BY", "PL", "DE", "FR"} <= set(paris.countries)
    assert paris.days > r.days
    corridors = net.corridors("Zhongding", "Moscow", k=2)
    assert len(corridors) == 2 and corridors[0].distance_km <= corridors[1].distance_km


def test_border_nodes_carry_quota_dwell_and_gauge(net: network.Network) -> None:
    quota = net.border_quota()
    assert {"manzhouli", "erenhot", "alashankou", "khorgos", "mohan"} <= set(quota)
    assert all(q >= 1 for q in quota.values())
    assert net.nodes["malaszewicze"].gauge_change
    assert any(net.nodes[n].gauge_change for n in ("zabaikalsk", "manzhouli"))


def _copy(tmp: Path) -> Path:
    dst = tmp / "net"
    shutil.copytree(network.data_dir(), dst)
    return dst


def test_bad_network_data_names_file_row_and_column(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    lines = (d / "links.csv").read_text().splitlines()
    parts = lines[1].split(",")
    parts[4] = "1"  # distance_km far below the geodesic
    lines[1] = ",".join(parts)
    (d / "links.csv").write_text("\n".join(lines) + "\n")
    nodes = (d / "nodes.csv").read_text().splitlines()
    i = next(i for i, line in enumerate(nodes) if line.startswith("datong,"))
    nodes[i] = nodes[i].replace(",park,", ",parc,", 1)
    (d / "nodes.csv").write_text("\n".join(nodes) + "\n")
    with pytest.raises(NetworkError) as e:
        network.load(d)
    msgs = e.value.problems
    assert any(
        m.startswith("links.csv: row 2, column distance_km: 1 km from") and "geodesic" in m
        for m in msgs
    )
    assert any(m.startswith(f"nodes.csv: row {i + 1}: kind='parc': expected one of") for m in msgs)


def test_missing_network_folder(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="network folder not found"):
        network.load(tmp_path / "nope")
