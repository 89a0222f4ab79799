"""The Chinese names of the batch files' columns and of a workbook's sheets: one table, per
file kind, of (English column, Chinese header).

A batch file may name its columns in English or in Chinese (not both: a column in the
other language is a problem naming it). Headers are matched after NFKC normalisation
without spaces, so ``毛重（吨）`` with full-width brackets is ``毛重(吨)``.
"""

from __future__ import annotations

from network.rows import header_key

#: (English column, Chinese header) per file kind, in the files' column order
HEADERS: dict[str, tuple[tuple[str, str], ...]] = {
    "shipments": (
        ("shipment_id", "发货编号"),
        ("origin", "始发地"),
        ("destination", "目的地"),
        ("containers", "箱数"),
        ("container_type", "箱型"),
        ("gross_t", "毛重(吨)"),
        ("ready_date", "可发日期"),
        ("due_date", "要求到达日期"),
        ("late_penalty_per_teu_day", "延误罚金(美元/TEU/天)"),
        ("split", "拆分"),
        ("avoid_countries", "避开国家"),
        ("dg_class", "危险品类别"),
        ("customer", "客户"),
        ("booked_on", "已订班列"),
        ("pinned", "锁定"),
        ("move_penalty_per_container", "改配罚金(美元/箱)"),
    ),
    "departures": (
        ("departure_id", "班列编号"),
        ("origin", "始发站"),
        ("destination", "终到站"),
        ("border_port", "出境口岸"),
        ("depart_date", "发车日期"),
        ("border_offset_days", "到口岸天数"),
        ("transit_days", "全程天数"),
        ("capacity_teu", "运力(TEU)"),
        ("max_gross_t", "最大总重(吨)"),
        ("fixed_cost", "开行成本(美元)"),
        ("rate_per_teu", "运价(美元/TEU)"),
        ("min_load_teu", "最低开行量(TEU)"),
        ("reefer_plugs", "冷藏插座数"),
        ("dg_allowed", "可装危险品"),
    ),
    "rates": (
        ("shipment_id", "发货编号"),
        ("departure_id", "班列编号"),
        ("rate_per_teu", "协议运价(美元/TEU)"),
    ),
    "border_quota": (
        ("border_port", "口岸"),
        ("trains_per_day", "每日班列数"),
        ("date", "日期"),
    ),
    "trucking": (
        ("from", "起点"),
        ("to", "终点"),
        ("cost_per_teu", "汽运费(美元/TEU)"),
        ("days", "汽运天数"),
    ),
}

#: a workbook's sheet per file kind: (English name, Chinese name)
SHEETS: dict[str, tuple[str, str]] = {
    "shipments": ("shipments", "发货"),
    "departures": ("departures", "班列"),
    "rates": ("rates", "协议运价"),
    "border_quota": ("border_quota", "口岸配额"),
    "trucking": ("trucking", "汽运"),
}


def chinese(kind: str) -> dict[str, str]:
    """Chinese header (as :func:`network.rows.header_key` normalises it) -> column."""
    return {header_key(zh): en for en, zh in HEADERS[kind]}


def header(kind: str, column: str, lang: str) -> str:
    """The header of ``column`` of a ``kind`` file in ``lang`` (``zh`` or ``en``)."""
    if lang == "zh":
        return dict(HEADERS[kind]).get(column, column)
    return column


def sheet_kinds(names: list[str]) -> dict[str, str]:
    """File kind -> sheet name, for the sheets named as in :data:`SHEETS` (any case)."""
    out: dict[str, str] = {}
    for name in names:
        key = header_key(name).lower()
        for kind, pair in SHEETS.items():
            if key in (p.lower() for p in pair) and kind not in out:
                out[kind] = name
    return out
