"""The map, the report, the charts and plan.xlsx in Chinese and English: one catalogue with
every string in both languages, place names in the chosen language with the other in the
tooltip, the unassigned reasons translated, and the machine-readable files unchanged."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import maps
import network
from maps import i18n
from maps.elements import DaySlider, HtmlPopup, Legend, Tip
from maps.report import kpis
from railplan.cli import main
from routing.domain import texts
from routing.domain.plan import Plan
from routing.io.plan_xlsx import write_plan_xlsx
from tests.maps.plans import tiny_plan, write_network
from tests.maps.test_maps import layer, walk

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def tiny_net(tmp_path_factory: pytest.TempPathFactory) -> network.Network:
    return network.load(write_network(tmp_path_factory.mktemp("net")))


@pytest.fixture(scope="module")
def plan(tiny_net: network.Network) -> Plan:
    return tiny_plan(tiny_net)


def test_every_string_has_both_languages_and_the_same_fields() -> None:
    for key, (en, zh) in texts.CATALOGUE.items():
        assert en and zh, key
        fields = re.compile(r"\{(\w+)\}")
        assert sorted(fields.findall(en)) == sorted(fields.findall(zh)), key
        if key not in ("col.teu", "xlsx.col.teu"):
            assert CJK.search(zh), f"{key}: {zh!r} is not Chinese"
    assert i18n.text("report.h1", "zh") == "计划报告"
    assert i18n.text("report.h1") == "Plan report"  # English unless chosen
    with i18n.using("zh"):
        assert i18n.text("report.h1") == "计划报告"
    with pytest.raises(ValueError, match="expected one of en, zh"), i18n.using("fr"):
        pass


def test_the_unassigned_reasons_are_translated_keeping_ids() -> None:
    why = (
        "2 not run: too little load for their minimum load or fixed cost "
        "(BE-ALA-20250305, BE-ALA-20250312, BE-ALA-20250319 and 4 more); "
        "1 blocked by the border quota (AL-MOW-20250303)"
    )
    zh = i18n.reason(why, "zh")
    assert zh == (
        "2 个未开行：货量不足最低开行量或不抵固定成本（BE-ALA-20250305, BE-ALA-20250312, "
        "BE-ALA-20250319 等另 4 个）；1 个受口岸配额限制（AL-MOW-20250303）"
    )
    assert i18n.reason(why, "en") == why
    assert i18n.reason("something new", "zh") == "something new"


def test_the_chinese_plan_map_names_places_in_chinese_and_tips_add_english(
    plan: Plan, tiny_net: network.Network
) -> None:
    m = maps.plan_map(plan, tiny_net, offline=True, lang="zh")
    for name in ("开行班列", "未开行班列", "口岸：最繁忙日与配额", "未配载货物（按始发地）"):
        layer(m, name)
    tips = [str(t.html) for t in walk(m) if isinstance(t, Tip)]
    assert any("乙园 Beta Park" in html.unescape(t) for t in tips)  # Chinese first, then English
    legend = next(el for el in walk(m) if isinstance(el, Legend))
    assert "班列颜色：装载率" in legend.html and "utilization" not in legend.html
    slider = next(el for el in walk(m) if isinstance(el, DaySlider))
    assert slider.data["words"] == ["第 ", " 天", " 列班列在途", " 列班列在途"]
    popups = " ".join(str(p.html) for p in walk(m) if isinstance(p, HtmlPopup))
    assert "货量不足最低开行量" in html.unescape(popups)  # the reason, translated
    # and the English map is as before
    en = maps.plan_map(plan, tiny_net, offline=True)
    layer(en, "Running trains")
    tips = [str(t.html) for t in walk(en) if isinstance(t, Tip)]
    assert any("Beta Park 乙园" in html.unescape(t) for t in tips)


def test_the_chinese_report_has_chinese_labels_kpis_and_place_names(
    plan: Plan, tiny_net: network.Network
) -> None:
    page = maps.report_html(plan, tiny_net, offline=True, lang="zh")
    assert '<html lang="zh-CN">' in page
    body = re.sub(r'srcdoc="[^"]*"|src="data:[^"]*"', "", page.split("<body>")[1])
    visible = html.unescape(re.sub(r"<[^>]+>", " ", body))
    for label in ("计划报告", "关键指标", "总成本", "配载明细", "未配载", "始发地", "原因"):
        assert label in visible, label
    assert "莫斯科" in visible and "二连浩特" in visible  # places by their Chinese names
    for english in ("Plan report", "Headline", "total cost", "Assignments", "reason"):
        assert english not in visible, english
    labels = [k[0] for k in kpis(plan, "zh")]
    assert all(CJK.search(x) for x in labels), labels
    assert "Plan report" in maps.report_html(plan, tiny_net, offline=True)


def test_charts_draw_in_chinese(plan: Plan, tiny_net: network.Network) -> None:
    from maps import charts

    with i18n.using("zh"):
        png = charts.cost_chart(plan)
    assert png[:4] == b"\x89PNG"
    with i18n.using("zh"):
        assert charts.cost_chart(plan) == png  # deterministic
    assert charts.cost_chart(plan) != png  # the English chart differs


def test_plan_xlsx_is_formatted_for_people_in_chinese(plan: Plan, tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_plan_xlsx(path, plan, lang="zh", places={"moscow": "莫斯科", "alpha": "甲园"})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总", "配载明细", "班列", "未配载"]
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["求解状态"] == "最优"
    assert summary["总成本(美元)"] == plan.total_cost
    assert wb["汇总"]["B6"].number_format == "0.00%"  # the gap
    ws = wb["配载明细"]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["发货编号", "班列编号", "箱数"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    row = dict(zip(head, ws[2], strict=False))
    assert row["始发地"].value == "甲园" and row["目的地"].value == "莫斯科"
    assert row["发车日期"].is_date and row["发车日期"].number_format == "yyyy-mm-dd"
    assert row["运费(美元)"].number_format == "#,##0"
    trains = wb["班列"]
    head = [c.value for c in trains[1]]
    col = head.index("装载率") + 1
    cells = [trains.cell(r, col) for r in range(2, trains.max_row + 1)]
    assert all(c.number_format == "0.0%" for c in cells)
    assert {c.fill.fgColor.rgb[-6:] for c in cells} >= {"F4A6A0"}  # coloured by bin
    reason = [c.value for c in wb["未配载"]["D"]][1]
    assert "未开行" in reason


def test_plan_and_map_take_lang_and_keep_csv_and_json_english(tmp_path: Path) -> None:
    src = tmp_path / "s.csv"
    src.write_text(
        "shipment_id,origin,destination,containers,ready_date\nA,taiyuan,moscow,50,2026-12-08\n",
        encoding="utf-8",
    )
    out = tmp_path / "p"
    res = CliRunner().invoke(
        main, ["plan", str(src), "--out", str(out), "--quiet", "--offline", "--lang", "zh"]
    )
    assert res.exit_code == 0, res.stderr
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "计划报告" in report and "太原" in html.unescape(report)
    map_text = (out / "map.html").read_text(encoding="utf-8")
    assert json.dumps("开行班列")[1:-1] in map_text  # the layer's name, in the page's JSON
    wb = openpyxl.load_workbook(out / "plan.xlsx")
    assert wb.sheetnames[0] == "汇总"
    with (out / "assignments.csv").open(encoding="utf-8") as f:
        r = next(csv.DictReader(f))
    assert "shipment_id" in r and r["origin"] == "taiyuan"  # English columns and codes
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] in ("optimal", "feasible")
    res = CliRunner().invoke(main, ["map", str(out), "--offline", "--lang", "en"])
    assert res.exit_code == 0, res.stderr
    assert "Plan report" in (out / "report.html").read_text(encoding="utf-8")
