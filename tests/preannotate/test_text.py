"""Finding quoted segments: marks of every kind, apostrophes, paragraphs."""

import pytest

from annotations.preannotate.text import analyse, quoted_segments


def quoted(text: str) -> list[str]:
    return [text[s.start : s.end] for s in analyse(text).segments if not s.inner]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "we won" today.', ['"we won"']),
        ("He said “we won” today.", ["“we won”"]),
        ("He said ‘we won’ today.", ["‘we won’"]),
        ("He said 'we won' today.", ["'we won'"]),
        ("She called it «a farce».", ["«a farce»"]),
        ("Er sagte: „Wir gewinnen.“ Dann ging er.", ["„Wir gewinnen.“"]),
        ("He added: ‘Don’t forget that I won.” Then he left.", ["‘Don’t forget that I won.”"]),
        ("The company's chief said it was the 1990s' best year.", []),
        ("“It wasn’t me,” said Ana’s lawyer.", ["“It wasn’t me,”"]),
        ("“Stop… please… stop,” she said.", ["“Stop… please… stop,”"]),
        # Two apostrophes as a double mark, as some newspapers' text has it.
        ("''We will,'' he said, ''and soon.''", ["''We will,''", "''and soon.''"]),
        ("He called it ''a farce'' and left.", ["''a farce''"]),
        # A decade's apostrophe opens nothing; the double mark still closes.
        ('"We won in the \'80s," he said.', ['"We won in the \'80s,"']),
    ],
)
def test_quote_marks(text, expected):
    assert quoted(text) == expected


def test_a_cue_after_a_question_keeps_the_sentence_open():
    text = "“Can she stay?” Trump asked. “She can.” Then he left."
    analysed = analyse(text)
    tokens = analysed.tokens
    sentences = [text[tokens[a].start : tokens[b - 1].end] for a, b in analysed.sentences]
    assert sentences == ["“Can she stay?” Trump asked.", "“She can.”", "Then he left."]


def test_a_cue_with_its_own_complement_starts_a_sentence():
    text = "“It was good.” He added: “Very good.”"
    analysed = analyse(text)
    tokens = analysed.tokens
    sentences = [text[tokens[a].start : tokens[b - 1].end] for a, b in analysed.sentences]
    assert sentences == ["“It was good.”", "He added: “Very good.”"]


def test_curly_apostrophes_read_as_straight_ones():
    assert [t.lower for t in analyse("I don’t think so").tokens] == ["i", "don't", "think", "so"]


def test_nested_quotes_are_inner_segments():
    text = "\"When they say 'never', they mean it,\" he said."
    segments = analyse(text).segments
    assert [(text[s.start : s.end], s.inner) for s in segments] == [
        ("\"When they say 'never', they mean it,\"", False),
        ("'never'", True),
    ]


def test_a_quote_runs_over_paragraphs_that_open_with_a_quote_mark():
    text = "“First part.\n“Second part.”\nNarration."
    assert quoted(text) == ["“First part.\n“Second part.”"]


def test_an_unclosed_quote_ends_with_its_paragraph():
    text = "He said “this never ends\nNext paragraph."
    assert quoted(text) == ["“this never ends"]


def test_a_forgotten_closing_mark_before_the_cue_splits_the_quote():
    text = '"We lost again, she said. We must improve."'
    assert quoted(text) == ['"We lost again,', 'We must improve."']


def test_sentences_end_after_closing_marks_not_before_opening_ones():
    text = 'It rained. "We stayed in," she said. "It was cold." Then it stopped.'
    analysed = analyse(text)
    sentences = [
        text[analysed.tokens[a].start : analysed.tokens[b - 1].end] for a, b in analysed.sentences
    ]
    assert sentences == [
        "It rained.",
        '"We stayed in," she said.',
        '"It was cold."',
        "Then it stopped.",
    ]


def test_abbreviations_do_not_end_sentences():
    text = "Dr. Ana Ruiz of the U.S. Senate spoke on Dec. 3. She left."
    analysed = analyse(text)
    assert len(analysed.sentences) == 2


def test_segments_of_text_with_no_marks():
    assert quoted_segments("No quotes here.\nNone here either.") == []


def test_a_short_parenthesis_holds_no_sentence_end():
    text = analyse("Rep. Ann Lee (R-S.C.) said nothing. Then she left.")
    words = [[t.text for t in text.tokens[a:b]] for a, b in text.sentences]
    assert words[0] == [
        "Rep",
        ".",
        "Ann",
        "Lee",
        "(",
        "R-S",
        ".",
        "C",
        ".",
        ")",
        "said",
        "nothing",
        ".",
    ]
    assert len(words) == 2
    # A parenthesis left open does not swallow the rest of the paragraph.
    text = analyse("He left (an aside left open that runs on and on and on and on. Then more.")
    assert len(text.sentences) == 2
