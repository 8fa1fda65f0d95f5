"""Hugging Face datasets (the `hf` extra): a DatasetDict saved to hf/ and parquet/<split>.parquet.

Each row holds the text, its spans (a split span with its `fragments`, the
pieces [[start, end], ...]; empty when contiguous) and attributions, and the
text's tokens with a BIO tag column per label for token classification (only
the pieces of a split span are tagged, as in the CoNLL export). Labels, tags
and choices are ClassLabel features (an unset choice is "unset"); rows are
written from a generator, so memory stays flat however large the export.
Nothing is fetched from the network.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import datasets  # noqa: E402

from annotations.exporters import ExportItem, Written  # noqa: E402
from annotations.scheme import CUE, QUOTE, QUOTES_V1, SPEAKER  # noqa: E402
from annotations.tokens import bio_tags  # noqa: E402

UNSET = "unset"
LABELS = (QUOTE, SPEAKER, CUE)
BIO = ("O", "B", "I")


def features() -> datasets.Features:
    def choices(name: str) -> datasets.ClassLabel:
        return datasets.ClassLabel(names=[*QUOTES_V1.choice_set(name).allowed(), UNSET])

    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "title": datasets.Value("string"),
            "text": datasets.Value("string"),
            "spans": [
                {
                    "id": datasets.Value("string"),
                    "label": datasets.ClassLabel(names=list(QUOTES_V1.label_names())),
                    "start": datasets.Value("int32"),
                    "end": datasets.Value("int32"),
                    "text": datasets.Value("string"),
                    "fragments": [[datasets.Value("int32")]],
                }
            ],
            "attributions": [
                {
                    "quote": datasets.Value("string"),
                    "speaker": datasets.Value("string"),
                    "cue": datasets.Value("string"),
                    "speaker_name": datasets.Value("string"),
                    "quote_type": choices("quote_type"),
                    "stance": choices("stance"),
                    "claim_type": choices("claim_type"),
                }
            ],
            "tokens": [datasets.Value("string")],
            **{_tag_column(label): [datasets.ClassLabel(names=list(BIO))] for label in LABELS},
        }
    )


def _tag_column(label: str) -> str:
    return f"{label.lower()}_tags"


def row(item: ExportItem) -> dict:
    annotation = item.annotation
    tagged = bio_tags(item.document.text, annotation, LABELS)
    return {
        "id": item.document.external_id,
        "title": item.document.title,
        "text": item.document.text,
        "spans": [
            {
                "id": s.id,
                "label": s.label,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "fragments": [list(piece) for piece in s.fragments],
            }
            for s in annotation.spans
        ],
        "attributions": [
            {
                "quote": a.quote,
                "speaker": a.speaker or "",
                "cue": a.cue or "",
                "speaker_name": a.speaker_name,
                "quote_type": a.quote_type or UNSET,
                "stance": a.stance or UNSET,
                "claim_type": a.claim_type or UNSET,
            }
            for a in annotation.attributions
        ],
        "tokens": [word for word, _, _ in tagged.tokens.words],
        **{_tag_column(label): tagged.tags[label] for label in LABELS},
    }


def write(items: Iterable[ExportItem], out: Path, splits: tuple[str, ...]) -> Written:
    written = Written()
    datasets.disable_progress_bars()
    (out / "parquet").mkdir()
    with tempfile.TemporaryDirectory(prefix="hf-", dir=out) as scratch:
        # Rows are spooled to one JSON-lines file per split, then streamed into Arrow.
        spools = _spool(items, Path(scratch))
        parts = {}
        for split in [s for s in splits if s in spools]:
            parts[split] = datasets.Dataset.from_generator(
                _rows,
                gen_kwargs={"path": str(spools[split])},
                features=features(),
                cache_dir=str(Path(scratch) / "cache"),
            )
            written.counts[split] = len(parts[split])
        datasets.DatasetDict(parts).save_to_disk(str(out / "hf"))
        for split in parts:
            _stable_fingerprint(out / "hf" / split)
        for split, part in parts.items():
            path = Path("parquet") / f"{split}.parquet"
            part.to_parquet(str(out / path))
            written.files.append(path)
    written.files += sorted(p.relative_to(out) for p in (out / "hf").rglob("*") if p.is_file())
    return written


def _spool(items: Iterable[ExportItem], scratch: Path) -> dict[str, Path]:
    spools: dict[str, Path] = {}
    handles = {}
    try:
        for item in items:
            if item.split not in handles:
                spools[item.split] = scratch / f"{item.split}.jsonl"
                handles[item.split] = spools[item.split].open("w", encoding="utf-8")
            handles[item.split].write(json.dumps(row(item), ensure_ascii=False) + "\n")
    finally:
        for handle in handles.values():
            handle.close()
    return spools


def _rows(path: str) -> Iterator[dict]:
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            yield json.loads(line)


def _stable_fingerprint(folder: Path) -> None:
    """datasets fingerprints a generated dataset from its temporary cache path; use the
    data's own digest instead, so the same export gives the same bytes."""
    state_path = folder / "state.json"
    state = json.loads(state_path.read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    for data_file in sorted(folder.glob("*.arrow")):
        digest.update(data_file.read_bytes())
    state["_fingerprint"] = digest.hexdigest()[:16]
    state_path.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
