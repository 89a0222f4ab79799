"""The planning service: ``railplan serve`` (a FastAPI app on uvicorn) and its workers.

* :mod:`railplan.service.app` builds the app (``create_app(Settings(...))``): the ``/v1``
  endpoints, ``/healthz``, ``/readyz``, ``/metrics``, errors as RFC 9457 problem+json.
* :mod:`railplan.service.worker` runs jobs: a supervisor claims queued jobs from the ledger
  database and runs each in its own spawned process (:mod:`railplan.service.solve`) with a
  time limit and a memory cap, never in the API's process.
* :mod:`railplan.service.auth` checks bearer tokens and roles.

Only this package imports a web framework; it reaches the database through
:mod:`railplan.ledger` only.
"""
