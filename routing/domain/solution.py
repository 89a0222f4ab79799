"""A solution in the optimiser's terms: containers per option, and the trains that run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Solution:
    """Containers per option index, and the departures (indices) that run."""

    counts: dict[int, int]
    runs: frozenset[int]
