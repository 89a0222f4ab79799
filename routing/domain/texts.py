"""Every text railplan shows people, in English and Chinese: the map, the report, the charts
and ``plan.xlsx`` (one catalogue, :data:`CATALOGUE`), and the unassigned reasons of a plan in
Chinese (:func:`reason`). :mod:`maps.i18n` draws with it; :mod:`routing.io` writes
``plan.xlsx`` with it. The machine-readable files (CSV, JSON) keep English names and codes.
"""

from __future__ import annotations

import re

LANGS = ("en", "zh")

#: key -> (English, Chinese); ``{name}`` fields are filled by :func:`text`
CATALOGUE: dict[str, tuple[str, str]] = {
    # corridors and node kinds
    "corridor.northern": ("Northern via Manzhouli", "北通道（满洲里）"),
    "corridor.mongolian": ("Mongolian via Erenhot", "中通道（二连浩特）"),
    "corridor.western": ("Western via Alashankou / Khorgos", "西通道（阿拉山口/霍尔果斯）"),
    "corridor.trans_caspian": ("Trans-Caspian", "跨里海通道"),
    "corridor.laos_vietnam": ("China–Laos / Vietnam", "中老/中越通道"),
    "corridor.other": ("other", "其他"),
    "kinds.park": ("Parks (origins)", "物流园（始发）"),
    "kinds.border": ("Border ports", "口岸"),
    "kinds.destination": ("Destinations", "目的地"),
    "kinds.junction": ("Junctions", "枢纽"),
    "kinds.city": ("Cities (truck only)", "城市（仅汽运）"),
    "kind.park": ("park", "物流园"),
    "kind.border": ("border", "口岸"),
    "kind.destination": ("destination", "目的地"),
    "kind.junction": ("junction", "枢纽"),
    "kind.city": ("city", "城市"),
    # node popups
    "node.kind": ("kind", "类型"),
    "node.country": ("country", "国家"),
    "node.gauge": ("gauge", "轨距"),
    "node.gauge_change": ("gauge change", "换轨"),
    "node.dwell": ("dwell", "停留"),
    "node.capacity": ("daily capacity", "每日能力"),
    "node.per_day": ("{n} trains/day", "每日 {n} 列"),
    "node.not_set": ("not set", "未设定"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "hours": ("{h} h", "{h} 小时"),
    # the network map
    "net.other_links": ("Other rail and ferry links", "其他铁路与轮渡线路"),
    "net.truck_links": ("Truck links", "汽运线路"),
    "net.truck_tip": ("truck {a} – {b}, {km} km", "汽运 {a} – {b}，{km} 公里"),
    "net.link_tip": ("{mode} {a} – {b}, {km} km", "{mode} {a} – {b}，{km} 公里"),
    "net.corridor": ("Corridor: {name}", "通道：{name}"),
    "net.services": ("({n} services)", "（{n} 条线路）"),
    "more": ("… and {n} more", "……另有 {n} 项"),
    "legend.network": ("Network", "路网"),
    "legend.other_rail": ("other rail", "其他铁路"),
    "legend.truck": ("truck", "汽运"),
    "legend.border_change": ("border port, gauge change", "口岸（换轨）"),
    "legend.border_same": ("border port, same gauge", "口岸（同轨距）"),
    # the plan map
    "layer.network": ("Network", "路网"),
    "layer.cancelled": ("Cancelled departures", "未开行班列"),
    "layer.running": ("Running trains", "开行班列"),
    "layer.endpoints": ("Origins and destinations", "始发地与目的地"),
    "layer.traffic": ("Traffic by route", "按线路的运量"),
    "layer.border": ("Border ports: busiest day vs quota", "口岸：最繁忙日与配额"),
    "layer.unassigned": ("Unassigned shipments (by origin)", "未配载货物（按始发地）"),
    "layer.slider": ("Trains by day (slider)", "逐日班列（滑块）"),
    "manifest.via": ("via", "经"),
    "manifest.etd": ("ETD", "发车"),
    "manifest.eta": ("ETA", "到达"),
    "manifest.load": (
        "load {load} / {cap} TEU ({util}), {t} t",
        "装载 {load} / {cap} TEU（{util}），{t} 吨",
    ),
    "manifest.more": ("… and {n} more shipments", "……另有 {n} 票货物"),
    "col.shipment": ("shipment", "发货编号"),
    "col.customer": ("customer", "客户"),
    "col.departure": ("departure", "班列"),
    "col.containers": ("containers", "箱数"),
    "col.teu": ("TEU", "TEU"),
    "col.gross_t": ("gross t", "毛重(吨)"),
    "col.origin": ("origin", "始发地"),
    "col.destination": ("destination", "目的地"),
    "col.border_port": ("border port", "出境口岸"),
    "col.etd": ("ETD", "发车日期"),
    "col.eta": ("ETA", "到达日期"),
    "col.late_days": ("late days", "延误天数"),
    "col.freight": ("freight USD", "运费(美元)"),
    "col.truck": ("truck USD", "汽运费(美元)"),
    "col.late": ("late USD", "延误罚金(美元)"),
    "col.reason": ("reason", "原因"),
    "col.day": ("day", "日期"),
    "col.trains": ("trains", "班列数"),
    "col.quota": ("quota", "配额"),
    "cancelled.popup": ("{n} departure(s) not run", "{n} 个班列未开行"),
    "cancelled.on": ("on", "线路"),
    "cancelled.tip": ("{n} cancelled: {a} → {b}", "{n} 个未开行：{a} → {b}"),
    "traffic.popup": (
        "{n} trains, {teu} TEU, mean utilization {util}",
        "{n} 列班列，{teu} TEU，平均装载率 {util}",
    ),
    "traffic.tip": ("{n} trains, {teu} TEU", "{n} 列班列，{teu} TEU"),
    "border.no_limit": ("no limit", "不限"),
    "border.per_day": ("{n} trains/day", "每日 {n} 列"),
    "border.no_quota": ("no quota", "无配额"),
    "border.popup": (
        "busiest day {day}: {n} train(s) against {limit}",
        "最繁忙日 {day}：{n} 列，配额 {limit}",
    ),
    "border.tip": ("{name}: busiest day {n} / {limit}", "{name}：最繁忙日 {n} / {limit}"),
    "unassigned.popup": (
        "{name}: {n} shipment(s), {teu} TEU left unassigned",
        "{name}：{n} 票货物，{teu} TEU 未配载",
    ),
    "unassigned.tip": (
        "{name}: {n} unassigned shipment(s), {teu} TEU",
        "{name}：{n} 票未配载货物，{teu} TEU",
    ),
    "legend.plan": ("Plan", "计划"),
    "legend.colour": ("train colour: utilization", "班列颜色：装载率"),
    "legend.width": ("width: TEU on board", "线宽：在途 TEU"),
    "legend.not_run": ("departure not run", "未开行班列"),
    "legend.quota": (
        "border port at its quota (size: busiest day / quota)",
        "口岸达到配额（大小：最繁忙日 / 配额）",
    ),
    "legend.unassigned": ("origin with unassigned shipments", "有未配载货物的始发地"),
    "legend.slider": ("train on the slider day", "滑块当日的班列"),
    # the day slider's label: before the day, after it, after 1 train, after n trains
    "slider.words": (
        "Day || train on the way| trains on the way",
        "第 | 天| 列班列在途| 列班列在途",
    ),
    # the report
    "report.title": ("railplan plan report", "railplan 计划报告"),
    "report.h1": ("Plan report", "计划报告"),
    "report.sub": ("{s} shipments on {d} departures", "{s} 票货物，{d} 个班列"),
    "report.horizon": (
        " · timetable from {start} for {days} days",
        " · 时刻表自 {start} 起 {days} 天",
    ),
    "report.headline": ("Headline", "关键指标"),
    "report.map": ("Map", "地图"),
    "report.map_title": ("plan map", "计划地图"),
    "report.map_hint": (
        "Click a train for its manifest; the slider at the bottom left moves the trains day by "
        "day; the layer button at the top right shows or hides layers.",
        "点击班列查看舱单；左下角的滑块逐日移动班列；右上角的图层按钮可显示或隐藏图层。",
    ),
    "report.trains": ("Trains", "班列"),
    "report.borders": ("Border crossings", "口岸通关"),
    "report.cost": ("Cost", "成本"),
    "report.assignments": ("Assignments ({n})", "配载明细（{n}）"),
    "report.unassigned": ("Unassigned ({n})", "未配载（{n}）"),
    "report.all_on_train": ("Every container is on a train.", "所有集装箱均已配载。"),
    "report.footer": (
        "Made by railplan on {made}. Costs in USD; TEU = twenty-foot equivalent unit.",
        "由 railplan 于 {made} 生成。成本单位为美元；TEU 即二十英尺标准箱。",
    ),
    "status.optimal": ("optimal", "最优"),
    "status.feasible": ("feasible", "可行"),
    "status.infeasible": ("infeasible", "不可行"),
    "status.unknown": ("unknown", "未知"),
    "kpi.total": ("total cost", "总成本"),
    "kpi.total_sub": ("status {status}, gap {gap}", "状态 {status}，差距 {gap}"),
    "kpi.fixed": ("train fixed cost", "班列固定成本"),
    "kpi.freight": ("freight", "运费"),
    "kpi.truck": ("trucking", "汽运费"),
    "kpi.late": ("late penalties", "延误罚金"),
    "kpi.trains": ("trains run", "开行班列"),
    "kpi.trains_sub": ("of {n} departures", "共 {n} 个班列"),
    "kpi.teu": ("TEU assigned", "已配载 TEU"),
    "kpi.teu_sub": ("{n} containers", "{n} 个集装箱"),
    "kpi.util": ("mean utilization", "平均装载率"),
    "kpi.util_sub": ("of running trains' TEU capacity", "开行班列 TEU 运力"),
    "kpi.on_time": ("on-time share", "准时率"),
    "kpi.on_time_sub": ("of assigned TEU", "按已配载 TEU"),
    "kpi.unassigned": ("unassigned", "未配载"),
    "kpi.unassigned_sub": (
        "{c} containers in {s} shipments",
        "{s} 票货物中的 {c} 个集装箱",
    ),
    "usd": ("{v} USD", "{v} 美元"),
    # charts
    "chart.util_alt": ("train utilization by departure", "各班列装载率"),
    "chart.timeline_alt": ("departure timeline per corridor", "各通道班列时间线"),
    "chart.border_alt": ("border crossings per day against quota", "口岸每日通关与配额"),
    "chart.cost_alt": ("cost breakdown", "成本构成"),
    "chart.no_train": ("no train runs in this plan", "本计划没有开行班列"),
    "chart.mean": ("mean {v} %", "平均 {v} %"),
    "chart.util_y": ("utilization (% of TEU capacity)", "装载率（占 TEU 运力 %）"),
    "chart.util_x": ("{n} running trains, by departure date", "{n} 列开行班列，按发车日期"),
    "chart.util_title": ("Train utilization by departure", "各班列装载率"),
    "chart.no_departure": ("no departures in this plan", "本计划没有班列"),
    "chart.run_not": ("{run} run / {idle} not", "开行 {run} / 未开行 {idle}"),
    "chart.not_run": ("not run", "未开行"),
    "chart.timeline_title": (
        "Departures per corridor, departure to arrival",
        "各通道班列：发车至到达",
    ),
    "chart.no_border": ("no running train crosses a border port", "没有开行班列经过口岸"),
    "chart.quota": ("quota", "配额"),
    "chart.border_title": (
        "Border crossings per day (bars: trains, red dash: quota)",
        "口岸每日通关（柱：班列数，红线：配额）",
    ),
    "cost.fixed": ("train fixed cost", "班列固定成本"),
    "cost.freight": ("freight (per TEU)", "运费（按 TEU）"),
    "cost.truck": ("trucking", "汽运费"),
    "cost.late": ("late penalties", "延误罚金"),
    "cost.unassigned_penalty": ("unassigned penalty (not a cost)", "未配载罚金（非成本）"),
    "chart.no_cost": ("the plan has no cost", "本计划没有成本"),
    # plan.xlsx: sheets, columns (a column without an entry keeps its English name), KPIs
    "xlsx.summary": ("summary", "汇总"),
    "xlsx.assignments": ("assignments", "配载明细"),
    "xlsx.trains": ("trains", "班列"),
    "xlsx.unassigned": ("unassigned", "未配载"),
    "xlsx.kpi": ("KPI", "指标"),
    "xlsx.value": ("value", "数值"),
    "xlsx.col.shipment_id": ("shipment_id", "发货编号"),
    "xlsx.col.departure_id": ("departure_id", "班列编号"),
    "xlsx.col.containers": ("containers", "箱数"),
    "xlsx.col.teu": ("teu", "TEU"),
    "xlsx.col.gross_t": ("gross_t", "毛重(吨)"),
    "xlsx.col.origin": ("origin", "始发地"),
    "xlsx.col.destination": ("destination", "目的地"),
    "xlsx.col.border_port": ("border_port", "出境口岸"),
    "xlsx.col.depart_date": ("depart_date", "发车日期"),
    "xlsx.col.arrival_date": ("arrival_date", "到达日期"),
    "xlsx.col.late_days": ("late_days", "延误天数"),
    "xlsx.col.freight_cost": ("freight_cost", "运费(美元)"),
    "xlsx.col.truck_cost": ("truck_cost", "汽运费(美元)"),
    "xlsx.col.late_cost": ("late_cost", "延误罚金(美元)"),
    "xlsx.col.co2e_wtw_kg": ("co2e_wtw_kg", "CO2e 全生命周期(千克)"),
    "xlsx.col.co2e_ttw_kg": ("co2e_ttw_kg", "CO2e 运行(千克)"),
    "xlsx.col.runs": ("runs", "是否开行"),
    "xlsx.col.load_teu": ("load_teu", "装载(TEU)"),
    "xlsx.col.capacity_teu": ("capacity_teu", "运力(TEU)"),
    "xlsx.col.utilization": ("utilization", "装载率"),
    "xlsx.col.fixed_cost": ("fixed_cost", "固定成本(美元)"),
    "xlsx.col.reason": ("reason", "原因"),
    "xlsx.kpi.status": ("status", "求解状态"),
    "xlsx.kpi.total_cost": ("total cost (USD)", "总成本(美元)"),
    "xlsx.kpi.objective": ("objective (USD)", "目标值(美元)"),
    "xlsx.kpi.bound": ("bound (USD)", "下界(美元)"),
    "xlsx.kpi.gap": ("gap", "差距"),
    "xlsx.kpi.fixed": ("train fixed cost (USD)", "班列固定成本(美元)"),
    "xlsx.kpi.freight": ("freight (USD)", "运费(美元)"),
    "xlsx.kpi.truck": ("trucking (USD)", "汽运费(美元)"),
    "xlsx.kpi.late": ("late penalties (USD)", "延误罚金(美元)"),
    "xlsx.kpi.shipments": ("shipments", "货物票数"),
    "xlsx.kpi.departures": ("departures", "班列数"),
    "xlsx.kpi.trains_run": ("trains run", "开行班列"),
    "xlsx.kpi.containers_assigned": ("containers assigned", "已配载集装箱"),
    "xlsx.kpi.teu_assigned": ("TEU assigned", "已配载 TEU"),
    "xlsx.kpi.containers_unassigned": ("containers unassigned", "未配载集装箱"),
    "xlsx.kpi.teu_unassigned": ("TEU unassigned", "未配载 TEU"),
    "xlsx.kpi.mean_utilization": ("mean utilization", "平均装载率"),
    "xlsx.kpi.on_time_share": ("on-time share", "准时率"),
    "xlsx.kpi.solve_seconds": ("solve time (s)", "求解时间(秒)"),
    "chart.cost_title": ("Cost breakdown: total {v} USD", "成本构成：合计 {v} 美元"),
}


def text(key: str, lang: str, **fields: object) -> str:
    """The string ``key`` of :data:`CATALOGUE` in ``lang``, its ``{name}`` fields filled."""
    en, zh = CATALOGUE[key]
    s = zh if lang == "zh" else en
    return s.format(**fields) if fields else s


#: (pattern of an English reason, its Chinese) for :func:`reason`; groups keep ids and numbers
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), zh)
    for p, zh in (
        (r"^(\d+) eligible departure\(s\) full \((.*)\)$", r"\1 个可用班列已满（\2）"),
        (r"^(\d+) blocked by the border quota \((.*)\)$", r"\1 个受口岸配额限制（\2）"),
        (
            r"^(\d+) not run: too little load for their minimum load or fixed cost \((.*)\)$",
            r"\1 个未开行：货量不足最低开行量或不抵固定成本（\2）",
        ),
        (
            r"^(\d+) running with room, but the reefer plugs are taken or carrying it costs more "
            r"than the unassigned penalty \((.*)\)$",
            r"\1 个开行且有余位，但冷藏插座已满或运输成本高于未配载罚金（\2）",
        ),
        (r"^no eligible departure could take it$", "没有可用班列能够承运"),
        (
            r"^no departure from (\S+) to (\S+) in the timetable, directly or with a truck leg$",
            r"时刻表中没有从 \1 到 \2 的班列（直达或经汽运）",
        ),
        (
            r"^no departure on the (\S+)-(\S+) corridor on or after the ready date (\S+) "
            r"\(last one in the timetable: (\S+)\)$",
            r"\1-\2 线路在可发日期 \3 及以后没有班列（时刻表最后一班：\4）",
        ),
        (
            r"^avoided countries (\S+) exclude every route \(all cross (\S+)\)$",
            r"需避开的国家 \1 排除了所有线路（均经过 \2）",
        ),
        (
            r"^no reefer plugs on any eligible departure for (\S+) containers$",
            r"可用班列均无 \1 冷藏箱插座",
        ),
        (
            r"^dangerous goods class (.+) not allowed on any eligible departure$",
            r"可用班列均不接受危险品类别 \1",
        ),
        (
            r"^split=false and no eligible departure can take all (\d+) containers "
            r"\((.*)\) on one train$",
            r"不可拆分，且没有可用班列能一次装下全部 \1 个集装箱（\2）",
        ),
        (
            r"^one (\S+) container \((.*)\) does not fit any eligible departure's gross-tonne "
            r"or TEU limit$",
            r"一个 \1 集装箱（\2）超出所有可用班列的总重或 TEU 限制",
        ),
        (
            r"^pinned to departure (\S+), which can no longer take it$",
            r"已锁定于班列 \1，该班列已无法承运",
        ),
    )
)


def reason(why: str, lang: str) -> str:
    """An unassigned reason of the plan (English, ``; ``-separated parts) in ``lang``; a part
    no pattern knows stays as it is. ``" and N more"`` in id lists is translated too."""
    if lang != "zh":
        return why
    out = []
    for part in why.split("; "):
        for pattern, zh in _REASONS:
            if pattern.match(part):
                part = pattern.sub(zh, part)
                break
        out.append(re.sub(r" and (\d+) more", r" 等另 \1 个", part))
    return "；".join(out)
