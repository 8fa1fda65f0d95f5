import xml.etree.ElementTree as ET

from annotations.charts import bar_chart, column_chart, line_chart


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


def test_line_chart_draws_each_series_and_a_single_point_as_a_level_line():
    svg = line_chart(
        [("model <b>", [(50, 0.5), (100, 0.6), (200, 0.7)]), ("rules", [(0, 0.58)])],
        title="Learning curve",
        x_label="gold documents",
    )
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    lines = list(root.iter(f"{ns}polyline"))
    assert len(lines) == 2 and len(list(root.iter(f"{ns}circle"))) == 3
    model = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    assert model[0][0] < model[1][0] < model[2][0] and model[0][1] > model[1][1] > model[2][1]
    rules = [tuple(map(float, p.split(","))) for p in lines[1].get("points").split()]
    assert rules[0][1] == rules[1][1] and rules[0][0] < rules[1][0]
    assert "&lt;b&gt;" in svg
    assert "no data yet" in line_chart([], title="x", x_label="y")
