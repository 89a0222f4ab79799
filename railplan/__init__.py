"""The application layer: the ``railplan`` command (and, later, the ledger, the service and
sweeps). It is the only layer that prints, reads the environment for its defaults and sets exit
codes; it depends on :mod:`routing`, :mod:`maps` and :mod:`network`, never the other way."""

import time as _time

#: when the process started importing railplan (the ``perf_counter`` clock): a command's
#: ``--time-limit`` runs from here, so start-up and reading the inputs count
STARTED = _time.perf_counter()
