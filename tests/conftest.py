"""Session fixtures: the bundled network, loaded and validated once."""

from __future__ import annotations

import pytest

import network


@pytest.fixture(scope="session")
def net() -> network.Network:
    """The bundled network (data/network/), loaded and validated once."""
    return network.load()
