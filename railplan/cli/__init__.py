"""The ``railplan`` command: one module per group of commands, each imported only when one of
its commands runs (:data:`railplan.cli.app.COMMANDS`)."""

from railplan.cli.app import COMMANDS, main

# command -> the module that registers it on ``main`` (one line each; keep them sorted)
COMMANDS.update(
    {
        "bench": "railplan.cli.generate",
        "check": "railplan.cli.check",
        "demo": "railplan.cli.plan",
        "explain": "railplan.cli.explain",
        "generate": "railplan.cli.generate",
        "ledger": "railplan.cli.ledger",
        "map": "railplan.cli.check",
        "network": "railplan.cli.network",
        "plan": "railplan.cli.plan",
        "quote": "railplan.cli.quote",
        "replan": "railplan.cli.replan",
        "serve": "railplan.cli.serve",
        "sweep": "railplan.cli.sweep",
        "template": "railplan.cli.template",
        "timetable": "railplan.cli.network",
        "token": "railplan.cli.serve",
        "worker": "railplan.cli.serve",
    }
)

__all__ = ["COMMANDS", "main"]
