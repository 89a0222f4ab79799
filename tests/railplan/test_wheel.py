"""The wheel carries everything the product needs: built from the checkout, installed (not
editable) into a fresh virtual environment, ``railplan demo`` plans the bundled sample from a
folder outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.factories import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        cwd=dist,
        capture_output=True,
    )
    (whl,) = dist.glob("railplan-*.whl")
    return whl


def test_the_wheel_holds_the_data_and_no_tests(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in (
        "railplan_data/network/nodes.csv",
        "railplan_data/network/links.csv",
        "railplan_data/network/services.csv",
        "railplan_data/maps/countries-110m.geojson",
        "railplan_data/samples/shipments.csv",
        "network/core.py",
        "routing/optimise/solver.py",
        "railplan/cli/plan.py",
    ):
        assert f in names, f
    assert not any(n.startswith("tests/") for n in names)


def test_the_installed_wheel_plans_the_demo_outside_the_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    # the dependencies (OR-Tools, highspy, folium, ...) come from the test environment's
    # site-packages, added after the fresh environment's own: railplan itself can come only
    # from the wheel (the checkout's editable install is a finder that a plain path skips)
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [str(py), "-c", "import network, routing, railplan; print(network.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(site)), where
    res = subprocess.run(
        [
            str(env_dir / "bin" / "railplan"),
            "demo",
            "--out",
            "plan",
            "--quiet",
            "--offline",
            "--time-limit",
            "10",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    for f in ("assignments.csv", "summary.json", "plan.xlsx", "map.html", "report.html"):
        assert (work / "plan" / f).is_file(), f
    assert "plan written to plan/" in res.stdout
