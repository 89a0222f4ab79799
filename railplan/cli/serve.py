"""``railplan serve``, ``railplan worker`` and ``railplan token``: the planning service.

Exit codes: 0 a clean stop; 2 bad input (a ledger not initialised, a non-loopback address
without any token, a bad role); 1 an internal error.
"""

from __future__ import annotations

import ipaddress
import signal
from typing import Any

import click

from railplan.cli.app import _err, handle_errors, ledger_errors, main
from railplan.ledger import JobStore, Refused, TokenStore, default_url

_db = click.option(
    "--db",
    "db",
    metavar="URL",
    help="Ledger database (default: $RAILPLAN_DB, else sqlite:///railplan.db).",
)
_memory = click.option(
    "--memory-mb",
    type=click.IntRange(0, 1_048_576),
    default=4096,
    show_default=True,
    help="Address-space cap of each solve process, MiB (0: none).",
)


def loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _stores(db: str | None) -> tuple[JobStore, TokenStore]:
    jobs = JobStore(db or default_url())
    jobs.require_schema()
    return jobs, TokenStore(jobs)


@main.command("serve")
@_db
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=1,
    show_default=True,
    help="Solve processes run at once by this server (0: jobs wait for railplan worker).",
)
@_memory
@click.option("--network", "network_dir", type=click.Path(file_okay=False))
@handle_errors
@ledger_errors
def serve_cmd(
    db: str | None, host: str, port: int, workers: int, memory_mb: int, network_dir: str | None
) -> None:
    """The HTTP service (FastAPI on uvicorn): /v1 endpoints, OpenAPI at /openapi.json, docs
    at /docs. Without any token it listens on loopback only."""
    import uvicorn

    from railplan.service.app import create_app
    from railplan.service.settings import Settings

    url = db or default_url()
    jobs, tokens = _stores(url)
    open_mode = not tokens.any_live()
    jobs.close()
    if open_mode and not loopback(host):
        raise Refused(
            [
                f"--host {host}: no token exists, so the service would be open to anyone; "
                "create one first (railplan token create --role admin) or listen on 127.0.0.1"
            ]
        )
    app = create_app(
        Settings(db=url, network_dir=network_dir, workers=workers, memory_mb=memory_mb)
    )
    mode = "open (no token yet: loopback only)" if open_mode else "tokens required"
    _err(f"railplan serve: http://{host}:{port}/docs, {workers} solve slot(s), {mode}")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@main.command("worker")
@_db
@click.option("--slots", type=click.IntRange(1, 64), default=1, show_default=True)
@_memory
@handle_errors
@ledger_errors
def worker_cmd(db: str | None, slots: int, memory_mb: int) -> None:
    """Run queued jobs of the ledger's database (another machine's PostgreSQL too), each in
    its own process, until SIGTERM or Ctrl-C."""
    from railplan.service.worker import Supervisor, WorkerSettings

    url = db or default_url()
    _stores(url)[0].close()
    sup = Supervisor(WorkerSettings(url=url, slots=slots, memory_mb=memory_mb))

    def stop(*_a: Any) -> None:
        sup.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    _err(f"railplan worker {sup.name}: {slots} slot(s) on {url}")
    sup.run()


@main.group("token")
def token_group() -> None:
    """API tokens: viewer reads, planner plans and books, admin manages tokens."""


@token_group.command("create")
@_db
@click.option("--role", type=click.Choice(["viewer", "planner", "admin"]), required=True)
@click.option("--customer", help="Scope the token to this customer's bookings and jobs.")
@click.option("--name", default="", help="What the token is for (shown in lists).")
@handle_errors
@ledger_errors
def token_create(db: str | None, role: str, customer: str | None, name: str) -> None:
    """Create a token and print it (once: only its hash is stored)."""
    _, tokens = _stores(db)
    click.echo(tokens.create(role, customer=customer, name=name))


@token_group.command("list")
@_db
@handle_errors
@ledger_errors
def token_list(db: str | None) -> None:
    """The tokens (ids, roles, customers; never secrets)."""
    _, tokens = _stores(db)
    for t in tokens.tokens():
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "live"
        click.echo(f"{t.token_id}  {t.role:<8} {t.customer or '-':<24} {state:<22} {t.name}")


@token_group.command("revoke")
@click.argument("token_id")
@_db
@handle_errors
@ledger_errors
def token_revoke(token_id: str, db: str | None) -> None:
    """Revoke a token (the service stops taking it within seconds)."""
    _, tokens = _stores(db)
    t = tokens.revoke(token_id)
    click.echo(f"token {t.token_id} ({t.role}) revoked")


__all__ = ["loopback"]
