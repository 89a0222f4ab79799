"""The ``railplan`` command: one module per group of commands, registered on :data:`main`."""

from railplan.cli import check, generate, ledger, network, plan, replan, template
from railplan.cli.app import main

__all__ = ["check", "generate", "ledger", "main", "network", "plan", "replan", "template"]
