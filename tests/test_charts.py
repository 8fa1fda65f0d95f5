import xml.etree.ElementTree as ET

from annotations.charts import bar_chart, column_chart


def test_bar_chart_is_valid_svg_with_escaped_labels():
    svg = bar_chart([("<script>alert(1)</script>", 3), ("gold", 1.5)], title="A & B")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and root.get("aria-label") == "A & B"
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    widths = [float(r.get("width")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert widths[0] == 2 * widths[1]


def test_empty_charts_say_so():
    assert "no data yet" in bar_chart([], title="x")
    assert "no data yet" in column_chart([], title="x")
    ET.fromstring(column_chart([("2026-11-01", 0), ("2026-11-02", 4)], title="days"))
