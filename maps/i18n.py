"""Every text the map, the report and the charts show, in English and Chinese: the one
catalogue (:data:`routing.domain.texts.CATALOGUE`), :func:`text` to look a string up, and the
language in use.

The language is chosen where a map or report is made (``plan_map(..., lang="zh")``,
``write_report(..., lang="zh")``): :func:`using` sets it for everything drawn inside, and
:func:`text` reads it. Place names come in the language, with the other one beside them in
tooltips and popups (:func:`place`, :func:`place_label`). Ids, codes and numbers stay as they
are; the unassigned reasons of the plan are translated by :func:`reason`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from network import Node
from routing.domain import texts
from routing.domain.texts import CATALOGUE, LANGS

__all__ = ["CATALOGUE", "LANGS", "current", "place", "place_label", "reason", "text", "using"]
_LANG: contextvars.ContextVar[str] = contextvars.ContextVar("railplan_maps_lang", default="en")


def current() -> str:
    """The language in use (``en`` unless :func:`using` set another)."""
    return _LANG.get()


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """Draw in ``lang`` (``en`` or ``zh``) inside the block."""
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r}: expected one of {', '.join(LANGS)}")
    token = _LANG.set(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


def text(key: str, lang: str | None = None, **fields: object) -> str:
    """The string ``key`` of :data:`CATALOGUE` in ``lang`` (default: the one in use), its
    ``{name}`` fields filled (not escaped: the caller escapes what came from the inputs)."""
    return texts.text(key, lang or current(), **fields)


def place(n: Node, lang: str | None = None) -> str:
    """A place's name in the language (the English one when it has no Chinese name)."""
    return (n.name_zh or n.name_en) if (lang or current()) == "zh" else n.name_en


def place_label(n: Node, lang: str | None = None) -> str:
    """The name in the language, then the other one: ``Manzhouli 满洲里`` / ``满洲里 Manzhouli``
    (not escaped)."""
    if (lang or current()) == "zh" and n.name_zh:
        return f"{n.name_zh} {n.name_en}"
    return n.name_en + (f" {n.name_zh}" if n.name_zh else "")


def reason(why: str, lang: str | None = None) -> str:
    """An unassigned reason of the plan in the language (:func:`routing.domain.texts.reason`)."""
    return texts.reason(why, lang or current())
