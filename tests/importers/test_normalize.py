import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.importers.normalize import (
    BOM,
    InputError,
    check_size,
    decode_utf8,
    normalize_newlines,
    normalize_text,
    remap_span,
)
from annotations.records import SpanRecord

line_break_heavy = st.lists(st.sampled_from(["a", "é", "\r", "\n", "\r\n", "😀", " "])).map("".join)


@given(body=line_break_heavy, bom=st.booleans(), data=st.data())
def test_spans_cover_the_same_characters_after_normalisation(body, bom, data):
    raw = (BOM if bom else "") + body
    if not raw:
        return
    start = data.draw(st.integers(0, len(raw) - 1))
    end = data.draw(st.integers(start + 1, len(raw)))
    normalized = normalize_text(raw)
    expected = raw[start:end]
    if bom and start == 0:
        expected = expected[1:]
    span = remap_span(SpanRecord("x", "Quote", start, end, raw[start:end]), normalized)
    assert normalized.text[span.start : span.end] == normalize_newlines(expected)
    assert span.text == normalize_newlines(expected)


@given(raw=line_break_heavy)
def test_normalised_text_has_no_carriage_returns(raw):
    normalized = normalize_text(raw)
    assert "\r" not in normalized.text
    assert normalized.text == normalize_newlines(raw)


def test_crlf_pair_split_by_a_boundary_keeps_the_whole_line_break():
    raw = "ab\r\ncd"
    normalized = normalize_text(raw)
    # A span ending on the \r ("ab\r") ends after the \n that replaces the pair.
    assert normalized.text[normalized.start(0) : normalized.end(3)] == "ab\n"
    # A span starting on the \n starts at that \n.
    assert normalized.text[normalized.start(3) : normalized.end(6)] == "\ncd"


def test_text_without_carriage_returns_is_returned_as_is():
    normalized = normalize_text("plain\ntext")
    assert normalized.text == "plain\ntext" and not normalized.changed


def test_invalid_utf8_names_the_byte_offset_and_line():
    with pytest.raises(InputError) as caught:
        decode_utf8(b"first line\nsecond \xff line", location="doc.txt")
    assert str(caught.value) == "doc.txt: not valid UTF-8 (byte 0xff at offset 18, line 2)"


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_refused(text):
    with pytest.raises(InputError, match="the document text is empty"):
        check_size(text, max_bytes=100, location="x")


def test_size_limit_counts_utf8_bytes():
    check_size("é" * 50, max_bytes=100, location="x")
    with pytest.raises(InputError, match="101 bytes, over the limit of 100"):
        check_size("é" * 50 + "a", max_bytes=100, location="x")
