from annotations.highlight import Piece, pieces


def test_pieces_cover_the_text_and_carry_every_covering_span():
    text = "Ushakov said “both agreed.”"
    cut = pieces(text, [("Quote", "q1", 13, 27), ("Speaker", "s1", 0, 7), ("Cue", "c1", 8, 12)])
    assert "".join(p.text for p in cut) == text
    assert cut[0] == Piece("Ushakov", (("Speaker", "s1"),))
    assert cut[-1] == Piece("“both agreed.”", (("Quote", "q1"),))


def test_nested_spans_list_the_outer_one_first():
    cut = pieces("abcdef", [("Speaker", "s", 2, 3), ("Quote", "q", 0, 6)])
    assert [p.spans for p in cut] == [
        (("Quote", "q"),),
        (("Quote", "q"), ("Speaker", "s")),
        (("Quote", "q"),),
    ]
    assert cut[1].labels == ("Quote", "Speaker")


def test_spans_outside_the_text_are_clipped():
    assert pieces("abc", [("Quote", "q", 1, 99)]) == [
        Piece("a", ()),
        Piece("bc", (("Quote", "q"),)),
    ]


def test_a_split_span_is_highlighted_on_its_pieces_only():
    from annotations.admin.rendering import render_highlights, span_pieces
    from annotations.records import SpanRecord

    text = "“We will,” she said, “and soon.”"
    quote = SpanRecord("q1", "Quote", 0, 32, text, ((0, 10), (21, 32)))
    html = str(render_highlights(text, span_pieces([quote])))
    assert html.count('class="hl hl-Quote"') == 2
    assert '“We will,”</span> she said, <span class="hl hl-Quote"' in html
