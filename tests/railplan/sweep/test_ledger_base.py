"""A sweep whose base is the ledger's confirmed bookings (as ``railplan replan`` sees them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import network
from railplan.ledger import Ledger
from railplan.ledger.records import BookingRequest
from railplan.sweep import read_sweep, run_sequential


def test_the_ledger_s_bookings_are_the_base(
    net: network.Network, tmp_path: Path, write_yaml: Callable[[str], Path]
) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    deps = net.departures(dt.date(2026, 12, 7), 7, scope="shanxi")
    moscow = next(d for d in deps if d.destination == "moscow")
    with Ledger(url) as led:
        led.init()
        led.register_departures(deps)
        for i, n in enumerate((30, 20)):  # 100 TEU: above the train's minimum load
            led.book(
                BookingRequest(
                    shipment_id=f"L{i}",
                    departure_id=moscow.departure_id,
                    containers=n,
                    container_type="40HC",
                    gross_t=20.0,
                    origin=moscow.origin,
                    destination="moscow",
                    ready_date=moscow.depart_date,
                )
            )
    path = write_yaml(
        f"""\
        base: {{ledger: "{url}", move_penalty: 500}}
        solve: {{time_limit: 30}}
        scenarios:
          - {{id: gone, cancel_train: {moscow.departure_id}}}
        """
    )
    loaded = read_sweep(path)
    assert sorted(s.shipment_id for s in loaded.problem.shipments) == [
        f"L0@{moscow.departure_id}",
        f"L1@{moscow.departure_id}",
    ]
    assert all(s.booked_on == moscow.departure_id for s in loaded.problem.shipments)
    run = run_sequential(loaded, map_scenario="gone")
    base, gone = (o.result for o in run.outcomes)
    assert base["status"] == "optimal" and base["containers_assigned"] == 50
    assert base["objective"] == base["total_cost"]  # nothing moves, no penalty
    # the train is cancelled: the 50 boxes move (another train or the unassigned list)
    assert gone["status"] == "optimal" and gone["objective"] >= 50 * 500
    assert gone["containers_assigned"] + gone["containers_unassigned"] == 50
