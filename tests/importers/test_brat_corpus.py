"""brat corpora as they are shipped: texts and per-annotator .ann files in separate folders,
labels of their own (read through a profile), split contents, further contents."""

import pytest

from annotations import importers
from annotations.importers.brat import ProfileError, brat_profile
from annotations.importers.normalize import InputError, InputWarning
from annotations.records import DocumentRecord

# Written for these tests in the layout of PolNeAR (text/, attributions/, <stem>_<who>.ann).
TEXT = (
    "“We will not raise taxes,” the governor told reporters, “not this year.”\n"
    "Aides said the budget was balanced. Critics believe the plan will fail.\n"
    "The report shows growth slowing. Follow us on Twitter.\n"
)


def at(text: str, *, after: int = 0) -> tuple[int, int]:
    start = TEXT.index(text, after)
    return start, start + len(text)


def tb(ann_id: str, label: str, *pieces: tuple[int, int]) -> str:
    offsets = ";".join(f"{s} {e}" for s, e in pieces)
    return f"{ann_id}\t{label} {offsets}\t{' '.join(TEXT[s:e] for s, e in pieces)}"


Q1A, Q1B = at("“We will not raise taxes,”"), at("“not this year.”")
GOVERNOR, TOLD = at("the governor"), at("told reporters")
AIDES, SAID, BALANCED = at("Aides"), at("said"), at("the budget was balanced")
CRITICS, BELIEVE, FAIL = at("Critics"), at("believe"), at("the plan will fail")
REPORT, SHOWS, GROWTH = at("The report"), at("shows"), at("growth slowing")
FOLLOW = at("Follow us on Twitter.")

ANN_A = "\n".join(
    [
        # Pieces listed right to left, as real files sometimes list them.
        tb("T1", "Content", Q1B, Q1A),
        tb("T2", "Source", GOVERNOR),
        tb("T3", "Cue", TOLD),
        tb("T4", "Attribution", TOLD),
        "E1\tAttribution:T4 Content:T1 Cue:T3 Source:T2",
        tb("T5", "Cue", SAID),
        tb("T6", "Content", BALANCED),
        tb("T7", "Attribution-no-source", SAID),
        "E2\tAttribution-no-source:T7 Content:T6 Cue:T5",
        tb("T8", "Source", CRITICS),
        tb("T9", "Cue", BELIEVE),
        tb("T10", "Content", FAIL),
        tb("T11", "Content", GROWTH),
        tb("T12", "Attribution", BELIEVE),
        "E3\tAttribution:T12 Cue:T9 Source:T8 Content:T10 Content2:T11",
        tb("T13", "Discard", FOLLOW),
        tb("T14", "Discuss", REPORT),
        "E4\tAttribution-no-source:T7 ",
        "#1\tAnnotatorNotes T10\tIs this a belief or a claim?",
    ]
)
# The second annotator saw "Aides" as the source and the report as evidence.
ANN_B = "\n".join(
    [
        tb("T1", "Content", Q1A, Q1B),
        tb("T2", "Source", GOVERNOR),
        tb("T3", "Cue", TOLD),
        "E1\tAttribution:T3 Content:T1 Cue:T3 Source:T2",
        tb("T4", "Source", AIDES),
        tb("T5", "Cue", SAID),
        tb("T6", "Content", BALANCED),
        "E2\tAttribution:T5 Content:T6 Cue:T5 Source:T4",
        tb("T7", "Source", REPORT),
        tb("T8", "Cue", SHOWS),
        tb("T9", "Content", GROWTH),
        "E3\tAttribution:T8 Source:T9 Cue:T8 Content:T7",
    ]
)


def corpus(tmp_path, **files: str):
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "budget.txt").write_text(TEXT, encoding="utf-8")
    for name, content in files.items():
        (tmp_path / "attributions" / f"budget_{name}.ann").write_text(content, encoding="utf-8")
    return tmp_path


def read(path, profile="polnear", mapping=""):
    sources, warnings = importers.discover([path], "brat")
    options = importers.ReadOptions(brat_profile=brat_profile(profile, mapping))
    items = [item for source in sources for item in importers.read(source, options)]
    return (
        [i for i in items if isinstance(i, DocumentRecord)],
        [i for i in items if isinstance(i, InputError)],
        [*warnings, *(i for i in items if isinstance(i, InputWarning))],
    )


def test_each_annotators_file_is_that_annotators_version_of_the_text(tmp_path):
    records, errors, _ = read(corpus(tmp_path, a1=ANN_A, b2=ANN_B))
    assert errors == []
    assert [r.external_id for r in records] == ["text/budget", "text/budget"]
    assert {r.text for r in records} == {TEXT}
    versions = {r.annotations[0].annotator: r.annotations[0] for r in records}
    assert sorted(versions) == ["a1", "b2"]
    assert {(a.kind, a.source_key) for a in versions.values()} == {
        ("human", "import:human:a1"), ("human", "import:human:b2"),
    }  # fmt: skip


def test_polnear_profile_reads_every_label_of_the_corpus(tmp_path):
    [record], errors, warnings = read(corpus(tmp_path, a1=ANN_A))
    assert errors == []
    annotation = record.annotations[0]
    spans = annotation.span_by_id()
    # The split quote: its pieces in text order whatever the file's order, text its stretch.
    split = spans["T1"]
    assert (split.start, split.end, split.fragments) == (Q1A[0], Q1B[1], (Q1A, Q1B))
    assert split.text == TEXT[Q1A[0] : Q1B[1]]
    by_quote = {a.quote: a for a in annotation.attributions}
    assert (by_quote["T1"].speaker, by_quote["T1"].cue) == ("T2", "T3")
    # Attribution-no-source: an attribution without a speaker.
    assert (by_quote["T6"].speaker, by_quote["T6"].cue) == (None, "T5")
    # Content2: a further quote of the same event, with its source and cue.
    assert (by_quote["T10"].speaker, by_quote["T10"].cue) == ("T8", "T9")
    assert (by_quote["T11"].speaker, by_quote["T11"].cue) == ("T8", "T9")
    # Discuss and Discard are skipped and counted; notes are kept as comments, not names.
    assert "T13" not in spans and "T14" not in spans
    assert annotation.provenance["brat_skipped"] == {
        "Discard": 1, "Discuss": 1, "event without content": 1,
    }  # fmt: skip
    assert annotation.provenance["brat_notes"] == {"T10": "Is this a belief or a claim?"}
    assert all(a.speaker_name == "" for a in annotation.attributions)
    assert any("E4: an attribution with no content" in str(w) for w in warnings)


def test_a_role_that_contradicts_its_entity_is_read_by_the_entity(tmp_path):
    [record], errors, warnings = read(corpus(tmp_path, b2=ANN_B))
    assert errors == []
    by_quote = {a.quote: a for a in record.annotations[0].attributions}
    assert (by_quote["T9"].speaker, by_quote["T9"].cue) == ("T7", "T8")
    assert any("E3: an argument's role disagrees" in str(w) for w in warnings)


def test_a_content_two_events_attribute_becomes_one_quote_per_event(tmp_path):
    ann = "\n".join(
        [
            tb("T1", "Content", BALANCED),
            tb("T2", "Source", AIDES),
            tb("T3", "Cue", SAID),
            tb("T4", "Source", CRITICS),
            tb("T5", "Cue", BELIEVE),
            "E1\tAttribution:T3 Content:T1 Cue:T3 Source:T2",
            "E2\tAttribution:T5 Content:T1 Cue:T5 Source:T4",
            "E3\tAttribution:T3 Content:T1 Cue:T3",  # repeats E1: read once
        ]
    )
    [record], errors, _ = read(corpus(tmp_path, a1=ann))
    assert errors == []
    annotation = record.annotations[0]
    spans = annotation.span_by_id()
    attributions = sorted((a.quote, a.speaker) for a in annotation.attributions)
    assert attributions == [("T1", "T2"), ("T1-2", "T4")]
    assert (spans["T1-2"].start, spans["T1-2"].end) == BALANCED
    assert annotation.provenance["brat_skipped"] == {"repeated event": 1}


def test_a_span_whose_text_holds_line_breaks_continues_on_the_next_lines(tmp_path):
    both = (Q1A[0], at("Aides said")[1])
    ann = f"{tb('T1', 'Content', both)}\n{tb('T2', 'Source', AIDES)}"
    assert "\n" in ann.split("\t")[2]
    [record], errors, _ = read(corpus(tmp_path, a1=ann))
    assert errors == []
    assert [s.id for s in record.annotations[0].spans] == ["T1", "T2"]


def test_the_default_profile_names_what_to_map(tmp_path):
    _, [error], _ = read(corpus(tmp_path, a1=ANN_A), profile="default")
    assert "unknown entity type 'Attribution-no-source'" in str(error)
    assert "--brat-map Attribution-no-source=" in str(error)


def test_brat_map_reads_a_label_as_the_scheme_says(tmp_path):
    mapping = "Discuss=Quote,Discard=skip,Attribution-no-source=Attribution"
    complete = ANN_A.replace("E4\tAttribution-no-source:T7 \n", "")  # strict: no empty event
    [record], errors, _ = read(corpus(tmp_path, a1=complete), profile="default", mapping=mapping)
    assert errors == []
    spans = record.annotations[0].span_by_id()
    assert spans["T14"].label == "Quote" and "T13" not in spans


@pytest.mark.parametrize(
    ("name", "mapping", "message"),
    [
        ("nonesuch", "", "unknown brat profile 'nonesuch' (choose from default, polnear)"),
        ("default", "Discuss", "'Discuss' is not LABEL=TARGET"),
        ("default", "Discuss=Person", "TARGET one of Quote, Speaker, Cue, Attribution, skip"),
    ],
)
def test_bad_profiles_and_maps_are_refused(name, mapping, message):
    with pytest.raises(ProfileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        brat_profile(name, mapping)


def test_pairing_takes_the_nearest_text_and_the_longest_stem(tmp_path):
    for folder in ("a/text", "a/ann", "b/text"):
        (tmp_path / folder).mkdir(parents=True)
    for path in ("a/text/x_y.txt", "a/text/x.txt", "b/text/x_y.txt"):
        (tmp_path / path).write_text("Hello.")
    (tmp_path / "a/ann/x_y_z9.ann").write_text("")
    (tmp_path / "a/ann/x_q.ann").write_text("")
    sources, _ = importers.discover([tmp_path], "brat")
    pairs = {s.ann.name: (s.path.relative_to(tmp_path).as_posix(), s.annotator)
             for s in sources if s.ann}  # fmt: skip
    assert pairs == {"x_y_z9.ann": ("a/text/x_y.txt", "z9"), "x_q.ann": ("a/text/x.txt", "q")}
    texts_alone = [s.path.name for s in sources if s.ann is None]
    assert texts_alone == ["x_y.txt"]  # b/text/x_y.txt has no .ann: imported as text only


def test_an_ann_whose_text_is_ambiguous_or_missing_fails_alone(tmp_path):
    for folder in ("one", "two", "ann"):
        (tmp_path / folder).mkdir()
    (tmp_path / "one/x.txt").write_text("Hello.")
    (tmp_path / "two/x.txt").write_text("Hello.")
    (tmp_path / "ann/x_a.ann").write_text("")
    (tmp_path / "ann/lost_a.ann").write_text("")
    records, errors, _ = read(tmp_path)
    messages = sorted(str(e) for e in errors)
    assert "x.txt is ambiguous" in messages[1] and "no lost_a.txt" in messages[0]
    assert [r.external_id for r in records] == ["one/x", "two/x"]  # the texts still come


def test_an_ann_file_given_alone_finds_its_text_in_a_folder_beside_it(tmp_path):
    corpus(tmp_path, a1=ANN_A)
    [source], _ = importers.discover([tmp_path / "attributions" / "budget_a1.ann"], "brat")
    assert (source.path, source.annotator) == (tmp_path / "text" / "budget.txt", "a1")
