"""The review page: annotators' versions side by side, decisions per quote, gold.

The rows come from `adjudication.review_rows` (the API renders the same); the
form's fields become `adjudication.Answer`s, and the services do the rest.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from annotations.adjudication import (
    CHOICES,
    PARTS,
    AddedRow,
    Answer,
    NewQuote,
    ReviewRow,
    Unit,
    decisions_from,
    review_rows,
)
from annotations.admin.calls import run
from annotations.admin.rendering import render_highlights, span_pieces
from annotations.labelstudio.sync import client_from_settings
from annotations.matching import Extent
from annotations.models import Document
from annotations.scheme import get_scheme
from annotations.selectors import review_next, review_queue
from annotations.services import review

# The review page counts the documents waiting after this one up to this many.
WAITING_SHOWN = 1000

PERMISSION = "annotations.review_document"
NONE = "__none__"
BLANK_NEW_ROWS = 2
EXTENT = re.compile(r"\s*(\d+)\s*[-–]\s*(\d+)\s*")
NEW_FIELD = re.compile(r"new-(\d+)-")


def review_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    document = get_object_or_404(Document.objects.select_related("collection"), pk=object_id)
    url = reverse("admin:annotations_document_review", args=[document.pk])
    if request.method == "POST":
        return _act(request, document, url)
    review.document_review_open(document=document, reviewer=request.user)
    state = review.review_state(document)
    rows, added = review_rows(state.units, state.gold_record)
    scheme = get_scheme(document.collection.scheme)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Document._meta,
        "original": document,
        "title": f"Review: {document}",
        "state": state,
        "versions": [
            (name, render_highlights(document.text, span_pieces(record.spans)))
            for name, record in state.versions.items()
        ],
        "rows": [_row(row, list(state.versions)) for row in rows],
        "new_rows": _new_rows(added),
        "scheme": scheme,
        "agreed": sum(1 for u in state.units if u.agreed),
        "can_push": bool(document.ls_task_id),
        "none": NONE,
        "choice_sets": [scheme.choice_set(c) for c in CHOICES],
        # Counted up to a bound: the whole queue of a large collection is a long count.
        "waiting": review_queue(document.collection)
        .exclude(pk=document.pk)[: WAITING_SHOWN + 1]
        .count(),
        "waiting_shown": WAITING_SHOWN,
        "next_document": review_next(document),
    }
    return TemplateResponse(request, "admin/annotations/document/review.html", context)


def _row(row: ReviewRow, annotators: list[str]) -> dict:
    cells = []
    for name in annotators:
        candidate = row.unit.candidates.get(name)
        choices = [getattr(candidate.attribution, c) for c in CHOICES] if candidate else []
        cells.append({"annotator": name, "candidate": candidate, "choices": choices})
    drawn = {part: extent_text(extent) for part, extent in row.drawn.items()}
    gold = None
    if row.gold is not None:
        speaker, cue = row.gold.spans.get("speaker"), row.gold.spans.get("cue")
        gold = {
            "absent": row.gold.absent,
            "attribution": row.gold.attribution,
            "speaker": speaker.text if speaker else "",
            "cue": cue.text if cue else "",
        }
    i = row.unit.index
    return {
        "unit": row.unit,
        "text": row.text,
        "default": row.default,
        "cells": cells,
        "differs": row.differs,
        "gold": gold,
        "drawn": drawn,
        "extent_inputs": [(part, f"{part}_at-{i}", drawn.get(part, "")) for part in PARTS],
    }


def _new_rows(added: list[AddedRow]) -> list[dict]:
    """The quotes the gold added (no version has them), then blank rows for new ones."""
    rows = [
        {
            "at": {p: extent_text(s.pieces) for p, s in row.spans.items() if s is not None},
            "text": row.spans["quote"].text,
            "speaker_name": row.attribution.speaker_name,
            "choices": {c: getattr(row.attribution, c) for c in CHOICES},
        }
        for row in added
    ]
    rows += [{"at": {}, "text": "", "speaker_name": "", "choices": {}}] * BLANK_NEW_ROWS
    return [
        {
            **row,
            "index": index,
            "prefix": f"new-{index}-",
            "extent_inputs": [
                (part, f"new-{index}-{part}_at", row["at"].get(part, "")) for part in PARTS
            ],
        }
        for index, row in enumerate(rows)
    ]


def extent_text(extent: Extent) -> str:
    """Pieces as the page writes them: "120-145", or "120-145;170-190" for a split span."""
    return ";".join(f"{start}-{end}" for start, end in extent)


def _act(request: HttpRequest, document: Document, url: str) -> HttpResponse:
    action = request.POST.get("action")
    reviewer = request.user
    note = request.POST.get("note", "")
    if action in ("accept", "accept_push", "accept_next"):

        def adjudicate() -> review.Adjudicated:
            state = review.review_state(document)
            return review.document_adjudicate(
                document=document,
                reviewer=reviewer,
                decisions=decisions_from(state.units, answers_from(request.POST, state.units)),
                added=new_quotes_from(request.POST),
                push=action == "accept_push",
            )

        done = run(request, adjudicate)
        if done is None:
            return HttpResponseRedirect(url)
        if done.push_job is not None:
            job_url = reverse("admin:annotations_job_change", args=[done.push_job.pk])
            messages.success(
                request,
                format_html(
                    'Accepted as gold; <a href="{}">a job</a> sends it to Label Studio as the '
                    "task's ground truth.",
                    job_url,
                ),
            )
        elif action == "accept_next":
            following = review_next(document)
            if following is not None:
                messages.success(request, f"Accepted “{document}” as gold; next one:")
                return HttpResponseRedirect(
                    reverse("admin:annotations_document_review", args=[following.pk])
                )
            messages.success(
                request,
                f"Accepted as gold. No other document of {document.collection} waits for review.",
            )
        else:
            messages.success(request, "Accepted as gold.")
    elif action == "send_back":

        def send_back() -> Document:
            with client_from_settings() as client:
                return review.document_send_back(
                    document=document, reviewer=reviewer, note=note, client=client
                )

        run(request, send_back, done="Sent back: the task is open again in Label Studio.")
    elif action == "reject":
        run(
            request,
            lambda: review.document_reject(document=document, reviewer=reviewer, note=note),
            done="Rejected: the document is left out of the dataset.",
        )
    else:
        messages.error(request, f"Unknown action {action!r}.")
    return HttpResponseRedirect(url)


def answers_from(data, all_units: list[Unit]) -> list[Answer]:
    """The reviewer's form, unit by unit: whose version, whose speaker and cue, changes.
    A field left empty keeps the default; NONE means none (no quote, no speaker, unset)."""
    answers = []
    for unit in all_units:
        i = unit.index
        if not any(key.rpartition("-")[2] == str(i) for key in data if "-" in key):
            continue  # nothing said about this unit: its default stands
        take = data.get(f"take-{i}") or unit.majority()
        if take == NONE:
            answers.append(Answer(unit=i, take=None))
            continue
        sources = {}
        for part in ("speaker_from", "cue_from"):
            value = data.get(f"{part}-{i}", "")
            sources[part] = "" if value == NONE else (value or None)
        choices = {}
        for choice in CHOICES:
            value = data.get(f"{choice}-{i}", "")
            if value:
                choices[choice] = "" if value == NONE else value
        extents = {}
        for part in PARTS:
            extent = extent_from(data.get(f"{part}_at-{i}", ""), f"quote {i + 1}: the {part}")
            if extent is not None:
                extents[part] = extent
        answers.append(
            Answer(
                unit=i,
                take=take,
                speaker_name=data.get(f"speaker_name-{i}", "").strip() or None,
                choices=choices,
                extents=extents,
                **sources,
            )
        )
    return answers


def new_quotes_from(data) -> list[NewQuote]:
    """The quotes the reviewer added: rows `new-K-…` with at least the quote's boundaries."""
    indexes = sorted({int(m.group(1)) for key in data if (m := NEW_FIELD.match(key))})
    added = []
    for k in indexes:
        where = f"added quote {k + 1}"
        value = {
            name: data.get(f"new-{k}-{name}", "").strip()
            for name in ("quote_at", "speaker_at", "cue_at", "speaker_name", *CHOICES)
        }
        if not any(value.values()):
            continue
        quote = extent_from(value["quote_at"], f"{where}: the quote")
        if quote is None:
            raise review.ReviewError(f"{where}: say where the quote is (start-end)")
        added.append(
            NewQuote(
                quote=quote,
                speaker=extent_from(value["speaker_at"], f"{where}: the speaker"),
                cue=extent_from(value["cue_at"], f"{where}: the cue"),
                speaker_name=value["speaker_name"],
                choices={c: value[c] for c in CHOICES if value[c]},
            )
        )
    return added


def extent_from(value: str, where: str) -> Extent | None:
    """Offsets written as "start-end" (as the "use selection" buttons fill them in), or
    "start-end;start-end" for the pieces of a split span."""
    if not value.strip():
        return None
    pieces = []
    for part in value.split(";"):
        found = EXTENT.fullmatch(part)
        if found is None:
            raise review.ReviewError(
                f"{where}: write its place as start-end, like 120-145 (pieces of a split "
                f"quote joined by ';'), not {value!r}"
            )
        pieces.append((int(found.group(1)), int(found.group(2))))
    return tuple(pieces)
