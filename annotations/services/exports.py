"""Writing a collection's gold dataset: selection, splits, the format's files and the card.

The files are written into a hidden folder next to the destination and moved
into place only when complete, so a failed export leaves nothing behind but an
Export row saying why.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Max
from django.utils import timezone

from annotations import exporters
from annotations.exporters import ExportError, ExportItem, card
from annotations.models import Annotation, Collection, Export
from annotations.scheme import get_scheme
from annotations.selectors import export_items, export_snapshot
from annotations.services.collections import collection_agreement_compute

DEFAULT_SPLIT = "0.8,0.1,0.1"
DEFAULT_SEED = 13


def export_gold(
    *,
    collection: Collection,
    fmt: str,
    out: Path,
    split: str = DEFAULT_SPLIT,
    seed: int = DEFAULT_SEED,
    include_unreviewed: bool = False,
    user: AbstractBaseUser | None = None,
    on_item: Callable[[ExportItem], None] | None = None,
) -> Export:
    ratios = exporters.parse_split(split)
    write = exporters.writer(fmt)
    out = out.resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} already exists and is not an empty folder; choose another --out")
    options = {"split": list(ratios), "seed": seed, "include_unreviewed": include_unreviewed}
    export = Export.objects.create(
        collection=collection, created_by=user, format=fmt, options=options, path=str(out)
    )
    partial = out.parent / f".{out.name}.partial-{export.pk}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial.mkdir()
        stats = card.CardStats()
        items = export_items(
            collection=collection, ratios=ratios, seed=seed, include_unreviewed=include_unreviewed
        )
        written = write(stats.observe(items, on_item), partial, exporters.split_names(ratios))
        files = {
            path.as_posix(): (
                exporters.sha256_file(partial / path),
                (partial / path).stat().st_size,
            )
            for path in written.files
        }
        context = card.CardContext(
            collection=collection.name,
            title=collection.title,
            scheme=get_scheme(collection.scheme),
            format=fmt,
            splits=exporters.split_names(ratios),
            ratios=ratios,
            seed=seed,
            include_unreviewed=include_unreviewed,
            snapshot=export_snapshot(collection, include_unreviewed),
            files=files,
            notes=written.notes,
            agreement=current_agreement(collection),
        )
        (partial / "README.md").write_text(card.render(stats, context), encoding="utf-8")
        if out.exists():
            out.rmdir()
        partial.rename(out)
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        export.status, export.error = Export.Status.FAILED, str(error) or type(error).__name__
        export.save(update_fields=["status", "error"])
        raise
    export.status = Export.Status.DONE
    export.file_hashes = {path: digest for path, (digest, _) in files.items()}
    export.counts = stats.summary()
    export.save(update_fields=["status", "file_hashes", "counts"])
    return export


def current_agreement(collection: Collection) -> dict:
    """The stored agreement report when no human annotation changed since it was
    computed; else computed (and stored) now."""
    changed = Annotation.objects.filter(
        document__collection=collection, kind=Annotation.Kind.HUMAN
    ).aggregate(last=Max("updated_at"))["last"]
    stored, at = collection.agreement, collection.agreement_at
    if stored is not None and at is not None and (changed is None or changed <= at):
        return stored
    return collection_agreement_compute(collection=collection)


def export_folder(*, collection: Collection, fmt: str, when: datetime | None = None) -> Path:
    """Where an export started from the admin or the API is written."""
    stamp = (when or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return Path(settings.EXPORT_DIR) / f"{collection.name}-{fmt}-{stamp}"


def export_archive(*, export: Export) -> IO[bytes]:
    """The export's folder as a zip file (spooled to disk when large), ready to send."""
    folder = Path(export.path)
    if export.status != Export.Status.DONE or not folder.is_dir():
        raise ExportError(f"export {export.pk} has no files to download ({export.status})")
    # Closed by whoever sends it (a FileResponse closes it when done).
    archive = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zipped.write(path, Path(folder.name) / path.relative_to(folder))
    archive.seek(0)
    return archive
