"""The dated, sourced tables of the sea and air alternatives (``data/alternatives/``): ports,
cargo airports, figures (rates, speeds, dwell, distance rules) and the sea legs between ports
(km from the ``searoute`` package, computed once and committed: :func:`write_sea_legs`,
``python -m routing.quote.tables``). Every problem of a table is reported at once
(:class:`network.table.TableError`, one line each, naming file, row and column)."""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from network.resources import data_path
from network.table import TableError

PORT_COLUMNS = ("port", "name", "country", "role", "lat", "lon", "source", "as_of")
AIRPORT_COLUMNS = ("airport", "name", "country", "role", "lat", "lon", "source", "as_of")
FIGURE_COLUMNS = ("key", "low", "high", "unit", "as_of", "source", "licence", "note")
SEA_COLUMNS = ("from_port", "to_port", "km_suez", "km_cape", "computed_with", "computed_on")
#: the figures the alternatives need (``figures.csv``)
FIGURE_KEYS = (
    "sea_freight",
    "sea_speed",
    "sea_calls",
    "port_dwell",
    "sea_distance_adjustment",
    "air_freight",
    "air_door_days_long",
    "air_door_days_short",
    "air_distance_uplift",
    "truck_rate",
    "truck_minimum",
    "truck_speed",
    "road_detour",
    "max_port_km",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """A port (UN/LOCODE) or an airport (IATA): ``role`` export/import or origin/destination."""

    code: str
    name: str
    country: str
    role: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    key: str
    low: float
    high: float
    unit: str
    as_of: str
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SeaLeg:
    km_suez: float
    km_cape: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AlternativeTables:
    ports: tuple[Place, ...]
    airports: tuple[Place, ...]
    figures: dict[str, Figure]
    sea_legs: dict[tuple[str, str], SeaLeg]

    def fig(self, key: str) -> Figure:
        return self.figures[key]


class _Reader:
    """Rows of one CSV file and the problems found in them."""

    def __init__(self, path: Path, columns: tuple[str, ...], problems: list[str]) -> None:
        self.name, self.problems = path.name, problems
        self.rows: list[tuple[int, dict[str, str]]] = []
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                missing = [c for c in columns if c not in (reader.fieldnames or ())]
                if missing:
                    problems.append(f"{path.name}: missing columns {', '.join(missing)}")
                    return
                self.rows = [(i, row) for i, row in enumerate(reader, start=2)]
        except OSError as e:
            problems.append(f"{path}: cannot read ({e.strerror or e})")

    def number(self, line: int, row: dict[str, str], col: str, low: float, high: float) -> float:
        v = (row.get(col) or "").strip()
        try:
            x = float(v)
        except ValueError:
            x = math.nan
        if not (math.isfinite(x) and low <= x <= high):
            self.problems.append(
                f"{self.name}: row {line}, column {col}: {v!r}: expected a number from "
                f"{low:g} to {high:g}"
            )
            return low
        return x

    def text(self, line: int, row: dict[str, str], col: str) -> str:
        v = (row.get(col) or "").strip()
        if not v:
            self.problems.append(f"{self.name}: row {line}, column {col}: expected a value")
        return v


def _places(
    path: Path, columns: tuple[str, ...], roles: Iterable[str], problems: list[str]
) -> tuple[Place, ...]:
    r = _Reader(path, columns, problems)
    out: list[Place] = []
    allowed = tuple(roles)
    for line, row in r.rows:
        role = r.text(line, row, "role")
        if role and role not in allowed:
            problems.append(
                f"{r.name}: row {line}, column role: {role!r}: expected {' or '.join(allowed)}"
            )
        r.text(line, row, "source")
        out.append(
            Place(
                code=r.text(line, row, columns[0]),
                name=r.text(line, row, "name"),
                country=r.text(line, row, "country"),
                role=role,
                lat=r.number(line, row, "lat", -90, 90),
                lon=r.number(line, row, "lon", -180, 180),
            )
        )
    return tuple(out)


def _figures(path: Path, problems: list[str]) -> dict[str, Figure]:
    r = _Reader(path, FIGURE_COLUMNS, problems)
    out: dict[str, Figure] = {}
    for line, row in r.rows:
        key = r.text(line, row, "key")
        low = r.number(line, row, "low", 0, 1e6)
        high = r.number(line, row, "high", 0, 1e6)
        if high < low:
            problems.append(f"{r.name}: row {line}, column high: {high:g}: expected >= low {low:g}")
        out[key] = Figure(
            key=key,
            low=low,
            high=high,
            unit=r.text(line, row, "unit"),
            as_of=r.text(line, row, "as_of"),
            source=r.text(line, row, "source"),
        )
    if r.rows or not problems:
        for key in FIGURE_KEYS:
            if key not in out:
                problems.append(f"{path.name}: column key: no row {key!r}; expected one")
    return out


def _sea_legs(path: Path, problems: list[str]) -> dict[tuple[str, str], SeaLeg]:
    r = _Reader(path, SEA_COLUMNS, problems)
    out: dict[tuple[str, str], SeaLeg] = {}
    for line, row in r.rows:
        key = (r.text(line, row, "from_port"), r.text(line, row, "to_port"))
        out[key] = SeaLeg(
            km_suez=r.number(line, row, "km_suez", 1, 60_000),
            km_cape=r.number(line, row, "km_cape", 1, 60_000),
        )
    return out


def read_tables(folder: str | Path) -> AlternativeTables:
    """The four tables of ``folder``; :class:`TableError` with every problem found."""
    d = Path(folder)
    problems: list[str] = []
    ports = _places(d / "ports.csv", PORT_COLUMNS, ("export", "import"), problems)
    airports = _places(d / "airports.csv", AIRPORT_COLUMNS, ("origin", "destination"), problems)
    figures = _figures(d / "figures.csv", problems)
    legs = _sea_legs(d / "sea_legs.csv", problems)
    if problems:
        raise TableError(problems)
    return AlternativeTables(ports=ports, airports=airports, figures=figures, sea_legs=legs)


@lru_cache(maxsize=1)
def default_tables() -> AlternativeTables:
    """The bundled tables (``data/alternatives``), read once."""
    return read_tables(data_path("alternatives"))


#: passages closed for the Cape of Good Hope route (searoute's names)
CAPE_RESTRICTIONS = ("northwest", "suez", "babalmandab")


def sea_km(a: Place, b: Place, *, cape: bool = False) -> float:
    """Sea distance from port ``a`` to port ``b`` (km) on searoute's network: through Suez
    (the package's default, the Northwest Passage closed), or round the Cape."""
    import searoute

    restrictions = list(CAPE_RESTRICTIONS if cape else ("northwest",))
    r = searoute.searoute([a.lon, a.lat], [b.lon, b.lat], units="km", restrictions=restrictions)
    return float(r["properties"]["length"])


def write_sea_legs(folder: str | Path) -> Path:
    """Compute every export -> import port pair of ``folder/ports.csv`` with :func:`sea_km`
    and write ``folder/sea_legs.csv`` (stamped with the searoute version and the date)."""
    from importlib.metadata import version

    d = Path(folder)
    problems: list[str] = []
    ports = _places(d / "ports.csv", PORT_COLUMNS, ("export", "import"), problems)
    if problems:
        raise TableError(problems)
    stamp = f"searoute {version('searoute')}"
    today = dt.date.today().isoformat()
    out = d / "sea_legs.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SEA_COLUMNS)
        for a in (p for p in ports if p.role == "export"):
            for b in (p for p in ports if p.role == "import"):
                suez, cape = sea_km(a, b), sea_km(a, b, cape=True)
                w.writerow([a.code, b.code, f"{suez:.0f}", f"{cape:.0f}", stamp, today])
    return out


if __name__ == "__main__":  # pragma: no cover - regenerates the committed table
    print(write_sea_legs(data_path("alternatives")))
