"""Where the bundled data lives: the package ``railplan_data`` (the repository's ``data/``
folder, shipped in the wheel), or the folder named by the ``RAILPLAN_DATA`` environment
variable."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

DATA_ENV = "RAILPLAN_DATA"


def data_path(*parts: str) -> Path:
    """The path of a bundled data file or folder, e.g. ``data_path("network")``."""
    env = os.environ.get(DATA_ENV)
    root = Path(env) if env else Path(str(files("railplan_data")))
    return root.joinpath(*parts)
