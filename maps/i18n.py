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

#: the report's CO2e chart: key -> (English, Chinese), looked up before :data:`CATALOGUE`
CO2E_TEXTS: dict[str, tuple[str, str]] = {
    "report.co2e": (
        "CO2e (ISO 14083 / GLEC, indicative)",
        "碳排放（二氧化碳当量，ISO 14083 / GLEC 框架，参考值）",
    ),
    "chart.co2e_alt": (
        "CO2e by corridor, well-to-wheel and tank-to-wheel, and per TEU-km",
        "各通道碳排放（油井到车轮与油箱到车轮）及每标箱公里排放",
    ),
    "chart.co2e_title": (
        "CO2e by corridor: total {v} t WTW",
        "各通道碳排放：合计 {v} 吨（油井到车轮）",
    ),
    "chart.co2e_t": ("t CO2e", "吨 CO2e"),
    "chart.co2e_wtw": ("well-to-wheel (WTW)", "油井到车轮（WTW）"),
    "chart.co2e_ttw": ("tank-to-wheel (TTW)", "油箱到车轮（TTW）"),
    "chart.co2e_intensity": (
        "g CO2e WTW per TEU-km (door to door, over the train's rail km)",
        "每标箱公里 CO2e 克数（油井到车轮，门到门，按班列铁路里程）",
    ),
    "chart.no_co2e": ("the plan carries no CO2e", "本计划没有碳排放数据"),
    # the explanations section (railplan explain)
    "report.explain": (
        "Explanations ({n}, railplan explain)",
        "原因分析（{n} 条）",
    ),
    "report.explain_hint": (
        "Each reason is verified by re-computation or by a re-solve with only that rule "
        "relaxed; a resource's saving is the exact re-solve's for one more unit.",
        "每条原因均经重新计算或仅放宽该规则的重新求解验证；资源的节省额为增加一个单位后精确重新求解的结果。",
    ),
    "col.kind": ("kind", "类别"),
    "col.subject": ("shipment / resource", "发货编号/资源"),
    "col.code": ("code", "代码"),
    "col.saving": ("saving USD", "节省(美元)"),
    "col.detail": ("detail", "说明"),
    "kind.unassigned": ("unassigned", "未配载"),
    "kind.late": ("late", "延误"),
    "kind.resource": ("resource", "资源"),
}
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
    if key in CO2E_TEXTS:
        en, zh = CO2E_TEXTS[key]
        s = zh if (lang or current()) == "zh" else en
        return s.format(**fields) if fields else s
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
