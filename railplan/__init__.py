"""The application layer: the ``railplan`` command (and, later, the ledger, the service and
sweeps). It is the only layer that prints, reads the environment for its defaults and sets exit
codes; it depends on :mod:`routing`, :mod:`maps` and :mod:`network`, never the other way."""
