"""Files in and out: the only part of :mod:`routing` that touches files.

Every problem of an input file is collected and reported at once, one line each, naming
file, row, column, the value and what was expected (:class:`InputError`).
"""

from routing.io.batch import (
    DEPARTURE_COLUMNS,
    SHIPMENT_COLUMNS,
    file_digest,
    read_border_quota,
    read_departures,
    read_rates,
    read_shipments,
    read_trucking,
    workbook_inputs,
    write_batch,
    write_departures,
)
from routing.io.errors import InputError
from routing.io.plan_files import (
    INPUT_FILES,
    PLAN_FILES,
    atomic_dir,
    check_out,
    read_plan,
    write_plan,
)
from routing.io.table import neutralise, read_table, write_csv, write_xlsx

__all__ = [
    "DEPARTURE_COLUMNS",
    "INPUT_FILES",
    "PLAN_FILES",
    "SHIPMENT_COLUMNS",
    "InputError",
    "atomic_dir",
    "check_out",
    "file_digest",
    "neutralise",
    "read_border_quota",
    "read_departures",
    "read_plan",
    "read_rates",
    "read_shipments",
    "read_table",
    "read_trucking",
    "workbook_inputs",
    "write_batch",
    "write_csv",
    "write_departures",
    "write_plan",
    "write_xlsx",
]
