"""Training a quote model from a collection's gold, keeping its versions, and loading them.

The gold is split as `export_gold` splits it (the same stable hash of each document's
id and seed): the model learns from the train split and is scored on the dev split
(the test split when there are only two), beside the rules on the same documents. A
learning curve retrains on a quarter and a half of the train split. The file goes to
MODEL_DIR/<name>/<version>.zip and is in place before its row exists; a collection
takes the new model for its predictions when it does at least as well as the rules.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max

from annotations import exporters
from annotations.errors import Conflict, DomainError
from annotations.learn import Example, ModelFileError, Tagger, evaluate_model, train
from annotations.models import Collection, Model
from annotations.preannotate import MODEL_VERSION, preannotate
from annotations.preannotate.evaluate import evaluate
from annotations.selectors import RULES, export_items
from annotations.services.exports import DEFAULT_SEED, DEFAULT_SPLIT

log = logging.getLogger(__name__)

BASES = ("rules", "none")
# The learning curve's points, as shares of the train split (the whole split is the last).
CURVE = (0.25, 0.5)
# Below this many train documents a curve says nothing: only the full model is trained.
CURVE_FROM = 8
Progress = Callable[[str, int, int], None]


class ModelUnavailable(Conflict):
    """A model whose file is missing, altered or unreadable: it cannot predict."""


def model_train(
    *,
    collection: Collection,
    name: str | None = None,
    base: str = "rules",
    min_confidence: float = 0.0,
    split: str = DEFAULT_SPLIT,
    seed: int = DEFAULT_SEED,
    parameters: dict | None = None,
    user: AbstractBaseUser | None = None,
    on_progress: Progress | None = None,
) -> Model:
    """A new version of the model `name` (default: the collection's name), trained on
    the collection's gold train split. Refused, with nothing written, when there is
    no gold to learn from. `on_progress(stage, done, total)` follows the work."""
    name = name or collection.name
    if len(name) > Model._meta.get_field("name").max_length or not _is_slug(name):
        raise DomainError(
            f"model name {name!r}: use letters, digits, '-' and '_' (up to 100), not {RULES!r}"
        )
    if base not in BASES:
        raise DomainError(f"base {base!r}: choose from {', '.join(BASES)}")
    if not 0.0 <= min_confidence < 1.0:
        raise DomainError(f"min_confidence {min_confidence!r}: from 0 up to (not) 1")
    ratios = exporters.parse_split(split)
    names = exporters.split_names(ratios)
    if len(names) < 2:
        raise DomainError(f"split {split!r}: a model needs a held-out split to be scored on")
    heldout_split = "dev" if "dev" in names else names[-1]
    report = on_progress or (lambda stage, done, total: None)
    learn, heldout = [], []
    for item in export_items(
        collection=collection, ratios=ratios, seed=seed, include_unreviewed=False
    ):
        example = Example(item.document.text, item.annotation)
        if item.split == "train":
            learn.append(example)
        elif item.split == heldout_split:
            heldout.append(example)
    if not learn:
        raise DomainError(
            f"collection {collection.name!r} has no gold in its train split to learn from: "
            "settle gold versions in the review first"
        )
    started = time.perf_counter()
    data = _fit(learn, base, min_confidence, parameters, report, "training")
    seconds = time.perf_counter() - started
    tagger = Tagger(data, version=name)
    metrics: dict = {"heldout_split": heldout_split}
    if heldout:
        report("scoring", 0, len(heldout))
        metrics["model"] = evaluate_model(tagger, heldout)
        metrics["rules"] = evaluate(
            (e.text, e.annotation, preannotate(e.text)) for e in heldout
        ).as_dict()
        metrics["rules_version"] = MODEL_VERSION
        metrics["curve"] = _curve(
            learn, heldout, base, min_confidence, parameters, report, metrics["model"]
        )
    options = {
        "split": list(ratios),
        "seed": seed,
        "min_confidence": min_confidence,
        "parameters": tagger.meta["parameters"],
    }
    return _keep(
        collection=collection,
        name=name,
        base=base,
        data=data,
        fields={
            "gold_documents": len(learn),
            "heldout_documents": len(heldout),
            "training_seconds": round(seconds, 2),
            "options": options,
            "metrics": metrics,
            "created_by": user,
        },
    )


def _is_slug(name: str) -> bool:
    return (
        name != RULES
        and bool(name)
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    )


def _fit(
    learn: list[Example],
    base: str,
    min_confidence: float,
    parameters: dict | None,
    report: Progress,
    stage: str,
) -> bytes:
    total = len(learn)
    read = [0]

    def on_document(count: int) -> None:
        read[0] += count
        report(f"{stage}: reading", read[0], total)

    return train(
        learn,
        base=base,
        min_confidence=min_confidence,
        parameters=parameters,
        on_document=on_document,
        on_iteration=lambda done, passes: report(f"{stage}: learning", done, passes),
    )


def _curve(
    learn: list[Example],
    heldout: list[Example],
    base: str,
    min_confidence: float,
    parameters: dict | None,
    report: Progress,
    full: dict,
) -> list[dict]:
    """Held-out scores after learning from a share of the train split, then all of it."""
    points = []
    if len(learn) >= CURVE_FROM:
        for share in CURVE:
            part = learn[: max(1, round(len(learn) * share))]
            stage = f"curve {share:.0%}"
            data = _fit(part, base, min_confidence, parameters, report, stage)
            tagger = Tagger(data, version="")
            points.append(_point(len(part), evaluate_model(tagger, heldout)))
    points.append(_point(len(learn), full))
    return points


def _point(documents: int, scores: dict) -> dict:
    quotes = scores["quotes"]
    return {
        "documents": documents,
        "f1_overlap": round(quotes["overlap"]["f1"], 4),
        "f1_exact": round(quotes["exact"]["f1"], 4),
        "speaker_accuracy": round(scores["speaker_accuracy"], 4),
        "cue_accuracy": round(scores["cue_accuracy"], 4),
    }


def _keep(*, collection: Collection, name: str, base: str, data: bytes, fields: dict) -> Model:
    """The file under MODEL_DIR, then its row as the next version; the collection takes
    the model when it scores at least as well as the rules on the held-out split."""
    folder = Path(settings.MODEL_DIR) / name
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    partial = folder / f".{digest}.partial"
    partial.write_bytes(data)
    try:
        with transaction.atomic():
            latest = Model.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0
            version = latest + 1
            target = folder / f"{version}.zip"
            if target.exists():
                raise Conflict(f"{target} already exists: MODEL_DIR holds a model no row names")
            model = Model.objects.create(
                name=name,
                version=version,
                collection=collection,
                collection_name=collection.name,
                base=base,
                file=f"{name}/{version}.zip",
                sha256=digest,
                size=len(data),
                **fields,
            )
            if _beats_rules(model.metrics):
                Collection.objects.filter(pk=collection.pk).update(model=model)
                collection.model = model
            partial.rename(target)
    except IntegrityError:
        raise Conflict(
            f"another version of {name!r} was saved at the same moment; train again"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return model


def _beats_rules(metrics: dict) -> bool:
    if "model" not in metrics:
        return False
    model = metrics["model"]["quotes"]["overlap"]["f1"]
    return model >= metrics["rules"]["quotes"]["overlap"]["f1"]


def models_delete(*, models: list[Model]) -> int:
    """Delete the models and, once that is committed, their files; collections that
    predicted with one go back to the rules. How many were deleted."""
    paths = [model_file(model) for model in models]
    with transaction.atomic():
        deleted, _ = Model.objects.filter(pk__in=[m.pk for m in models]).delete()
        transaction.on_commit(lambda: [path.unlink(missing_ok=True) for path in paths])
    return deleted


def model_file(model: Model) -> Path:
    return Path(settings.MODEL_DIR) / model.file


# Per model: the file's identity when it was read, and the tagger made of it.
_loaded: dict[int, tuple[tuple, Tagger]] = {}
_lock = threading.Lock()


def model_tagger(model: Model) -> Tagger:
    """The model ready to predict (loaded once per process, again when its file changes);
    ModelUnavailable when its file is missing, altered or unreadable."""
    path = model_file(model)
    try:
        stat = path.stat()
        key = (model.sha256, str(path), stat.st_mtime_ns, stat.st_size)
        with _lock:
            held = _loaded.get(model.pk)
            if held is not None and held[0] == key:
                return held[1]
        data = path.read_bytes()
    except OSError as error:
        raise ModelUnavailable(f"model {model.label}: {path}: {error.strerror}") from None
    if hashlib.sha256(data).hexdigest() != model.sha256:
        raise ModelUnavailable(f"model {model.label}: {path} is not the file that was trained")
    try:
        tagger = Tagger(data, version=model.label)
    except ModelFileError as error:
        raise ModelUnavailable(f"model {model.label}: {error}") from None
    with _lock:
        _loaded[model.pk] = (key, tagger)
    return tagger


def model_predictor(model: Model | None) -> tuple[Callable, str]:
    """The prediction function for a model (the rules for None) and its version label."""
    if model is None:
        return preannotate, MODEL_VERSION
    tagger = model_tagger(model)
    return tagger.predict, model.label
