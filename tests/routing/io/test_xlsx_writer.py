"""The small XLSX writer: what it writes, openpyxl reads back exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from routing.io import xlsx_writer as xw


def test_cells_formats_fills_and_the_view_round_trip(tmp_path: Path) -> None:
    styles = xw.Styles()
    head = styles.style(None, xw.HEADER_FILL, bold=True)
    money, pct = styles.style("#,##0"), styles.style("0.0%", "A6D96A")
    day = styles.style("yyyy-mm-dd")
    ws = xw.Sheet("Plan <1> & 'x'", widths=(12, 30.5, 9), autofilter=True)
    ws.rows.append([("id", head), ("text", head), ("n", head)])
    ws.rows.append([("A-1", 0), ("  spaced & <tagged> \x07bell", 0), (1234567.25, money)])
    ws.rows.append([(True, 0), (dt.date(2027, 1, 8), day), (0.7636, pct)])
    ws.rows.append([(None, 0), ("'=1+1", 0), (-3, 0)])
    other = xw.Sheet("二", freeze_header=False)
    other.rows.append([("中文", 0)])
    path = tmp_path / "t.xlsx"
    xw.save(path, [ws, other], styles)

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Plan <1> & 'x'", "二"]
    s = wb.worksheets[0]
    assert s.freeze_panes == "A2" and s.auto_filter.ref == "A1:C4"
    assert s.column_dimensions["B"].width == 30.5
    assert [c.value for c in s[1]] == ["id", "text", "n"]
    assert s["A1"].font.b and s["A1"].fill.fgColor.rgb == "FF" + xw.HEADER_FILL
    assert s["B2"].value == "  spaced & <tagged> \ufffdbell"
    assert s["C2"].value == 1234567.25 and s["C2"].number_format == "#,##0"
    assert s["A3"].value is True
    assert s["B3"].value == dt.datetime(2027, 1, 8) and s["B3"].number_format == "yyyy-mm-dd"
    assert s["C3"].number_format == "0.0%" and s["C3"].fill.fgColor.rgb == "FFA6D96A"
    assert s["A4"].value is None and s["B4"].value == "'=1+1" and s["C4"].value == -3
    assert not s["C4"].font.b
    assert wb.worksheets[1].freeze_panes is None and wb.worksheets[1]["A1"].value == "中文"


def test_column_letters() -> None:
    assert [xw.column_letter(i) for i in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
