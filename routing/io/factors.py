"""The emission factor table (``data/co2/factors.csv``, or ``--emission-factors FILE``).

Columns: ``key, mode, region, scope, unit, wtw, ttw, basis, source, source_date, licence,
note`` (``key``, ``unit``, ``wtw``, ``ttw`` and ``source`` required; ``wtw``/``ttw`` may be
empty where the source gives no value). Every problem is one line naming the file, the row
and the column (:class:`routing.io.InputError`). The rows the chain uses
(:data:`routing.domain.co2.REQUIRED_KEYS` and every ``rail_electric_*`` / ``rail_diesel_*``
row) must have a per-t-km unit (a per-TEU unit for hubs) and both values (the hub's WTW).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from network.resources import data_path
from routing.domain.co2 import HUB_KEY, REQUIRED_KEYS, Factor, FactorTable
from routing.io.errors import InputError
from routing.io.table import RowReader

FACTOR_COLUMNS: dict[str, bool] = {
    "key": True,
    "mode": False,
    "region": False,
    "scope": False,
    "unit": True,
    "wtw": True,
    "ttw": True,
    "basis": False,
    "source": True,
    "source_date": False,
    "licence": False,
    "note": False,
}
#: the largest intensity accepted (g per t km of air freight is ~1,400)
MAX_FACTOR = 1e6


def default_factors_path() -> Path:
    """The bundled table, ``data/co2/factors.csv``."""
    return data_path("co2", "factors.csv")


def _value(r: RowReader, line: int, row: dict[str, str], col: str) -> tuple[float | None, bool]:
    v = (row.get(col) or "").strip()
    if not v:
        return None, True
    try:
        x = float(v)
    except ValueError:
        x = math.nan
    if not math.isfinite(x) or not 0 <= x <= MAX_FACTOR or "," in v:
        r.bad(line, col, v, f"a number from 0 to {MAX_FACTOR:,.0f} with a dot, or empty")
        return None, False
    return x, True


def _used(key: str) -> bool:
    return key in REQUIRED_KEYS or key.startswith(("rail_electric_", "rail_diesel_"))


def read_factors(path: str | Path) -> FactorTable:
    """Read a factor table; raise :class:`InputError` with every problem of the file."""
    p = Path(path)
    if not p.is_file():
        raise InputError([f"{p}: emission factor table not found"])
    r = RowReader(p, FACTOR_COLUMNS)
    factors: dict[str, Factor] = {}
    seen: dict[str, int] = {}
    for line, row in r.rows:
        key = (r.text(line, row, "key") or "").strip()
        unit = (r.text(line, row, "unit") or "").strip()
        source = r.text(line, row, "source") or ""
        wtw, ok_w = _value(r, line, row, "wtw")
        ttw, ok_t = _value(r, line, row, "ttw")
        if not key:
            continue
        r.duplicate(line, "key", key, seen)
        if unit and not unit.startswith(("g_", "kg_")):
            r.bad(line, "unit", unit, "a unit like g_co2e_per_tkm or kg_co2_per_teu")
            continue
        if _used(key) and unit and ok_w and ok_t:
            hub = key == HUB_KEY
            want = "_per_teu" if hub else "_per_tkm"
            if not unit.endswith(want):
                r.bad(line, "unit", unit, f"a unit ending in {want} for {key}")
            if wtw is None:
                r.bad(line, "wtw", "", f"a value ({key} is used for every plan's CO2e)")
            if ttw is None and not hub:
                r.bad(line, "ttw", "", f"a value ({key} is used for every plan's CO2e)")
        factors[key] = Factor(
            key=key,
            mode=(row.get("mode") or "").strip(),
            unit=unit,
            wtw=wtw,
            ttw=ttw,
            source=source,
            basis=row.get("basis") or "",
        )
    if r.header and not r.problems:
        for key in REQUIRED_KEYS:
            if key not in factors:
                r.problems.append(
                    f"{r.name}: column key: no row {key!r}; expected one (used for every plan's "
                    "CO2e)"
                )
    r.raise_if_problems()
    return FactorTable(factors=factors, source=p.name)


@lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int, size: int) -> FactorTable:
    return read_factors(path)


def load_factors(path: str | Path | None = None) -> FactorTable:
    """The factor table at ``path`` (default: the bundled one), read once per file version."""
    p = Path(path) if path is not None else default_factors_path()
    try:
        st = p.stat()
    except OSError:
        return read_factors(p)
    return _cached(str(p), st.st_mtime_ns, st.st_size)
