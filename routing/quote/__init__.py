"""Quotes: "can you take 10 x 40HC Taiyuan -> Duisburg, ready 10 December, and at what price?"

>>> ctx = make_context(net, factors)            # once per network and factor table
>>> q = quote(QuoteRequest(origin="taiyuan", destination="duisburg", containers=10,
...                        ready_date=dt.date(2026, 12, 10)), capacity, ctx)
>>> q.options[0].total_usd, q.options[0].co2e_wtw_kg, q.alternatives

``capacity`` (:class:`Capacity`) is what the ledger (or a plan folder) says each train has
left: the caller reads it (``railplan.ledger.quotes.capacity``); nothing here touches a
database or a file, except :mod:`routing.quote.tables`, which reads the dated tables of the
sea and air alternatives (``data/alternatives``).
"""

from routing.quote.core import DEFAULT_VALID_HOURS, SORT_KEYS, make_context, quote
from routing.quote.rail import QuoteContext
from routing.quote.records import (
    REFUSAL_CODES,
    SORTS,
    Alternative,
    Capacity,
    CrossingUse,
    Option,
    Quote,
    QuoteRequest,
    Refusal,
    TrainUse,
    jsonable,
    quote_json,
)
from routing.quote.tables import AlternativeTables, default_tables, read_tables

__all__ = [
    "DEFAULT_VALID_HOURS",
    "REFUSAL_CODES",
    "SORTS",
    "SORT_KEYS",
    "Alternative",
    "AlternativeTables",
    "Capacity",
    "CrossingUse",
    "Option",
    "Quote",
    "QuoteContext",
    "QuoteRequest",
    "Refusal",
    "TrainUse",
    "default_tables",
    "jsonable",
    "make_context",
    "quote",
    "quote_json",
    "read_tables",
]
