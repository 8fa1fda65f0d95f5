import pytest

from annotations.importers import discover
from annotations.importers.normalize import InputError
from tests.importers.helpers import read_all


def test_txt_file_becomes_one_document_named_by_its_path(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "story.txt").write_bytes(b"Headline\r\n\r\nBody text.\r\n")
    [doc], errors, _ = read_all(tmp_path)
    assert (doc.external_id, doc.title, doc.text) == (
        "sub/story",
        "Headline",
        "Headline\n\nBody text.\n",
    )
    assert doc.annotations == []


def test_seed_article_reads_as_text(settings):
    [doc], errors, _ = read_all(
        settings.BASE_DIR / "fixtures" / "seed" / "000_2923d8a93a2ebe0b.txt"
    )
    assert doc.external_id == "000_2923d8a93a2ebe0b"
    assert doc.text.startswith("The Presidents of Russia")


def test_auto_detection_pairs_brat_files_and_ignores_unknown_ones(tmp_path):
    for name in ["a.txt", "a.ann", "b.txt", "c.jsonl", "d.json", "notes.md", ".hidden/x.txt"]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    sources, warnings = discover([tmp_path])
    assert [(s.path.name, s.format) for s in sources] == [
        ("a.txt", "brat"), ("b.txt", "txt"), ("c.jsonl", "jsonl"), ("d.json", "labelstudio"),
    ]  # fmt: skip
    assert "ignored 1 file(s) of no known format" in str(warnings[0])


def test_explicit_format_picks_only_its_files(tmp_path):
    for name in ["a.txt", "a.ann", "c.jsonl"]:
        (tmp_path / name).write_text("x")
    sources, _ = discover([tmp_path], "txt")
    assert [(s.path.name, s.format) for s in sources] == [("a.txt", "txt")]


@pytest.mark.parametrize(
    ("name", "fmt", "message"),
    [
        ("missing.txt", "auto", "missing.txt: no such file or directory"),
        (
            "notes.md",
            "auto",
            "notes.md: cannot tell the format from the extension '.md'; pass --format",
        ),
        ("a.txt", "pdf", "unknown format 'pdf'"),
    ],
)
def test_discovery_errors(tmp_path, name, fmt, message):
    (tmp_path / "notes.md").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        discover([tmp_path / name], fmt)


def test_empty_and_invalid_txt(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "bad.txt").write_bytes(b"\xc3\x28")
    _, errors, _ = read_all(tmp_path)
    assert sorted(str(e).split(": ", 1)[1] for e in errors) == [
        "not valid UTF-8 (byte 0xc3 at offset 0, line 1)",
        "the document text is empty",
    ]
