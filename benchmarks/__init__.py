"""Developer tooling outside the product: the ``railplan bench`` harness, the OR-Library
reader, the reference MIP in standalone HiGHS and the README's screenshots. Nothing in
:mod:`network`, :mod:`routing` or :mod:`maps` imports it."""
