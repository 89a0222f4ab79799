"""The ``railplan`` command: one module per group of commands, registered on :data:`main`."""

from railplan.cli import check, generate, network, plan
from railplan.cli import ledger as ledger
from railplan.cli.app import main

__all__ = ["check", "generate", "main", "network", "plan"]
