"""Importing files and folders: every input read and written on its own, all or nothing.

The one loop behind `import_documents` and the API's import job: it finds the
inputs under the paths, reads each with the options, and writes each in its
own transaction (`documents_import`), so a bad file fails whole and the others
still land. What each input gave (or would give, in a dry run) is reported.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.crypto import get_random_string

from annotations import importers
from annotations.errors import DomainError
from annotations.importers.brat import BratProfile, ProfileError, brat_profile
from annotations.importers.normalize import InputError, InputWarning
from annotations.models import Collection, Job
from annotations.records import DocumentRecord
from annotations.scheme import get_scheme
from annotations.services.collections import collection_get_or_create
from annotations.services.imports import ImportFailed, ImportResult, documents_import
from annotations.services.jobs import job_start


class ImportOptionsError(DomainError):
    """The import cannot start: a bad path, format, profile or combination of options."""


@dataclass
class SourceReport:
    """What one input gave, or why it failed (then nothing of it was written)."""

    source: importers.SourceFile
    result: ImportResult
    failed: bool = False

    @property
    def name(self) -> str:
        return str(self.source.ann or self.source.path)


@dataclass
class FilesImport:
    collection: Collection
    collection_created: bool = False
    total: ImportResult = field(default_factory=ImportResult)
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceReport]:
        return [report for report in self.sources if report.failed]


def import_profile(name: str = "default", mapping: str = "") -> BratProfile:
    """The brat profile the options name, or ImportOptionsError."""
    try:
        return brat_profile(name, mapping)
    except ProfileError as error:
        raise ImportOptionsError(str(error)) from None


def files_import(
    *,
    collection: Collection | str,
    sources: list[importers.SourceFile],
    warnings: list[InputWarning] | None = None,
    profile: BratProfile | None = None,
    as_gold: bool = False,
    dry_run: bool = False,
    on_source: Callable[[importers.SourceFile], None] | None = None,
    on_document: Callable[[DocumentRecord], None] | None = None,
) -> FilesImport:
    """Import every input (from `discover_sources`) into the collection (given by name, it
    is made if new), each whole or not at all; a failed input is reported with its
    errors, not raised.

    A dry run writes nothing, not even the collection, but reports what a real run
    would: each input sees what the inputs before it would have written (another
    annotator's file of the same text).
    """
    with transaction.atomic() if dry_run else nullcontext():
        created = False
        if isinstance(collection, str):
            collection, created = collection_get_or_create(name=collection)
        report = FilesImport(collection, created, ImportResult(warnings=list(warnings or [])))
        options = importers.ReadOptions(
            max_bytes=settings.DOCUMENT_MAX_BYTES,
            scheme=get_scheme(collection.scheme),
            brat_profile=profile or import_profile(),
        )
        for source in sources:
            _import_source(report, source, options, as_gold, on_document)
            if on_source:
                on_source(source)
        if dry_run:
            transaction.set_rollback(True)
        elif created and report.total.documents == 0:
            # Nothing came in (every file failed): leave no empty collection behind.
            Collection.objects.filter(pk=collection.pk).delete()
            report.collection_created = False
    return report


def _import_source(
    report: FilesImport,
    source: importers.SourceFile,
    options: importers.ReadOptions,
    as_gold: bool,
    on_document: Callable[[DocumentRecord], None] | None,
) -> None:
    try:
        result = documents_import(
            collection=report.collection,
            items=lambda: importers.read(source, options),
            as_gold=as_gold,
            on_document=on_document,
        )
    except ImportFailed as failure:
        report.sources.append(SourceReport(source, failure.result, failed=True))
        report.total.warnings.extend(failure.result.warnings)
    else:
        report.sources.append(SourceReport(source, result))
        report.total.add(result)


def discover_sources(
    paths: list[Path], fmt: str = importers.AUTO, *, as_gold: bool = False
) -> tuple[list[importers.SourceFile], list[InputWarning]]:
    """The inputs under the paths, or ImportOptionsError when there are none or the
    options do not fit them (--as-gold with several annotators' files for one text)."""
    try:
        sources, warnings = importers.discover(paths, fmt)
    except InputError as error:
        raise ImportOptionsError(str(error)) from None
    if not sources:
        raise ImportOptionsError("no importable files under the given paths")
    if as_gold:
        annotators: dict[Path, list[str]] = {}
        for source in sources:
            if source.ann is not None:
                annotators.setdefault(source.path, []).append(source.annotator or "(none)")
        several = {path: names for path, names in annotators.items() if len(names) > 1}
        if several:
            path, names = next(iter(several.items()))
            raise ImportOptionsError(
                f"--as-gold keeps one annotation per document, but {path} has "
                f"{len(names)} .ann files ({', '.join(names)}); import them as the annotators' "
                "versions and settle the gold in review"
            )
    return sources, warnings


def uploads_import(
    *,
    collection: Collection,
    uploads: list[UploadedFile],
    user: AbstractBaseUser | None,
    format: str = importers.AUTO,
    as_gold: bool = False,
    brat_profile: str = "default",
    brat_map: str = "",
) -> Job:
    """Keep uploaded files in a folder of their own and start the job that imports them."""
    import_profile(brat_profile, brat_map)  # refuse bad options before anything is kept
    names = [Path(upload.name or "").name for upload in uploads]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ImportOptionsError(
            f"several uploaded files are named {', '.join(map(repr, twice))}; "
            "give each file its own name"
        )
    if not any(importers.importable(name, format) for name in names):
        raise ImportOptionsError(
            f"none of the uploaded files ({', '.join(map(repr, names[:5]))}"
            f"{', …' if len(names) > 5 else ''}) is in a format the import reads "
            f"({importers.described_formats()})"
        )
    folder = Path(settings.UPLOAD_DIR) / get_random_string(16)
    folder.mkdir(parents=True)
    try:
        for upload in uploads:
            with (folder / Path(upload.name).name).open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    params = {
        "folder": str(folder),
        "format": format,
        "as_gold": as_gold,
        "brat_profile": brat_profile,
        "brat_map": brat_map,
    }
    return job_start(kind=Job.Kind.IMPORT, collection=collection, user=user, params=params)
