"""Scenario files for the sweep tests, written into a temporary folder."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

#: a small study on a generated Shanxi month (596 shipments, 32 departures): each solve is
#: stopped by a deterministic work limit (and proves its optimum within it, in about a second),
#: so every run of it gives the same table
SMALL = """\
name: small
base:
  generate: {scale: shanxi-month, seed: 3}
solve: {work_limit: 50, seed: 0, threads: 1}
scenarios:
  - id: erenhot-2
    border_quota: {erenhot: 2}
  - id: no-first-train
    cancel_train: ZD-MOW-E-20261207
  - id: avoid-fifth
    avoid: 0.2
grid:
  demand: [0.9, 1.15]
  carbon_price: [0, 80]
"""


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str], Path]:
    """Write a scenario file (dedented) as ``tmp_path/sweep.yaml`` and return its path."""

    def write(text: str, name: str = "sweep.yaml") -> Path:
        p = tmp_path / name
        p.write_text(textwrap.dedent(text), encoding="utf-8")
        return p

    return write
