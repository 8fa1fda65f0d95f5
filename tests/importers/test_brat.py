import pytest

from tests.importers.helpers import read_all

TEXT = "Ushakov said “both agreed,” and he added: “no more.”\n"
ANN = "\n".join(
    [
        "T1\tSource 0 7\tUshakov",
        "T2\tCue 8 12\tsaid",
        "T3\tContent 13 27\t“both agreed,”",
        "T4\tAttribution 8 12\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        "A1\tquote_type E1 direct",
        "A2\tstance E1 neutral",
        "#1\tAnnotatorNotes E1\tYury Ushakov",
        "T5\tSource 32 34\the",
        "T6\tCue 35 40\tadded",
        "T7\tContent 42 52\t“no more.”",
        "E2\tAttribution:T6 Content:T7 Source:T5 Cue:T6",
        "R1\tCoref Arg1:T5 Arg2:T1",
    ]
)


def write_pair(tmp_path, text=TEXT, ann=ANN, name="doc"):
    (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
    (tmp_path / f"{name}.ann").write_text(ann, encoding="utf-8")
    return tmp_path / f"{name}.ann"


def test_reads_entities_events_attributes_notes_and_coref(tmp_path):
    [doc], errors, _ = read_all(write_pair(tmp_path))
    assert errors == []
    assert doc.external_id == "doc"
    annotation = doc.annotations[0]
    assert [(s.id, s.label) for s in annotation.spans] == [
        ("T1", "Speaker"), ("T2", "Cue"), ("T3", "Quote"), ("T5", "Speaker"), ("T6", "Cue"),
        ("T7", "Quote"),
    ]  # fmt: skip
    first, second = annotation.attributions
    assert (first.quote, first.speaker, first.cue, first.speaker_name) == (
        "T3",
        "T1",
        "T2",
        "Yury Ushakov",
    )
    assert (first.quote_type, first.stance) == ("direct", "neutral")
    assert (second.quote, second.speaker, second.cue) == ("T7", "T5", "T6")
    assert [(r.type, r.source, r.target) for r in annotation.relations] == [("coref", "T5", "T1")]


def test_discontinuous_spans_keep_their_fragments(tmp_path):
    ann = "T1\tContent 13 18;42 52\t“both “no more.”"
    [doc], errors, _ = read_all(write_pair(tmp_path, ann=ann))
    assert errors == []
    [span] = doc.annotations[0].spans
    assert (span.start, span.end, span.fragments) == (13, 52, ((13, 18), (42, 52)))
    assert span.text == TEXT[13:52]


def test_crlf_text_offsets_are_remapped(tmp_path):
    text = "Title\r\nUshakov said “yes.”"
    ann = "T1\tSource 7 14\tUshakov\nT2\tContent 20 26\t“yes.”"
    [doc], errors, _ = read_all(write_pair(tmp_path, text=text, ann=ann))
    assert errors == []
    speaker, quote = doc.annotations[0].spans
    assert doc.text[speaker.start : speaker.end] == "Ushakov"
    assert doc.text[quote.start : quote.end] == "“yes.”"


@pytest.mark.parametrize(
    ("ann", "message"),
    [
        ("T1\tPerson 0 7\tUshakov", "doc.ann:1: T1: unknown entity type 'Person'"),
        ("T1\tSource 0 7\tUshakoff", "doc.ann:1: T1: text 'Ushakoff' does not match the .txt at 0 7 ('Ushakov')"),
        ("T1\tSource 0 700\tUshakov", "doc.ann:1: T1: offsets 0 700 are out of range"),
        ("T1\tSource zero 7\tUshakov", "doc.ann:1: T1: offsets 'zero 7' are not 'start end[;start end]'"),
        ("T1\tContent 13 27\t“both agreed,”\nE1\tAttribution:T2 Content:T1 Source:T9",
         "doc.ann:2: E1: its trigger T2 is not a defined entity"),
        ("T1\tContent 13 27\t“both agreed,”\nE1\tAttribution:T1 Content:T1 Source:T9",
         "doc.ann:2: E1: its speaker T9 is not a defined entity"),
        ("T1\tSource 0 7\tUshakov\nE1\tAttribution:T1 Source:T1", "doc.ann:2: E1: an Attribution event needs a Content argument"),
        ("T1\tSource 0 7\tUshakov\nT1\tSource 0 7\tUshakov", "doc.ann:2: T1 is defined twice"),
        ("T1\tSource 0 7\tUshakov\nR1\tCoref Arg1:T1 Arg2:T8", "a Coref relation refers to T8, which is not defined"),
        ("N1\tReference T1 Wikidata:Q1\tUshakov", "doc.ann:1: unsupported brat annotation 'N1'"),
        ("T1 Source 0 7 Ushakov", "doc.ann:1: expected an id, a tab and the annotation"),
    ],
)  # fmt: skip
def test_bad_annotations_name_the_file_and_line(tmp_path, ann, message):
    records, [error], _ = read_all(write_pair(tmp_path, ann=ann))
    assert records == []
    assert message in str(error), str(error)


def test_missing_txt_is_reported(tmp_path):
    (tmp_path / "lonely.ann").write_text("T1\tSource 0 1\tx")
    with pytest.raises(Exception, match="no lonely.txt .* was found beside it"):
        read_all(tmp_path / "lonely.ann")
