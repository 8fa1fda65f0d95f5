"""The review page: annotators' versions side by side, decisions per quote, gold."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from annotations.adjudication import (
    CHOICES,
    PARTS,
    Decision,
    Extent,
    NewQuote,
    Unit,
    default_decisions,
)
from annotations.admin.rendering import render_highlights, span_pieces
from annotations.labelstudio.client import LabelStudioError
from annotations.labelstudio.sync import client_from_settings
from annotations.matching import match
from annotations.models import Document
from annotations.scheme import get_scheme
from annotations.selectors import review_next, review_queue
from annotations.services import review

PERMISSION = "annotations.review_document"
NONE = "__none__"
FIELDS = ("quote", "speaker", "cue", "speaker_name", *CHOICES)
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
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Document._meta,
        "original": document,
        "title": f"Review: {document}",
        "state": state,
        "versions": [
            (
                name,
                render_highlights(document.text, span_pieces(record.spans)),
            )
            for name, record in state.versions.items()
        ],
        "rows": [_row(unit, state, document) for unit in state.units],
        "new_rows": _new_rows(state),
        "scheme": get_scheme(document.collection.scheme),
        "agreed": sum(1 for u in state.units if u.agreed),
        "can_push": bool(document.ls_task_id),
        "none": NONE,
        "choice_sets": [get_scheme(document.collection.scheme).choice_set(c) for c in CHOICES],
        "waiting": review_queue(document.collection).exclude(pk=document.pk).count(),
        "next_document": review_next(document),
    }
    return TemplateResponse(request, "admin/annotations/document/review.html", context)


def _row(unit: Unit, state: review.ReviewState, document: Document) -> dict:
    default = unit.majority()
    cells = []
    for name in state.versions:
        candidate = unit.candidates.get(name)
        cells.append(
            {
                "annotator": name,
                "candidate": candidate,
                "choices": [getattr(candidate.attribution, c) for c in CHOICES]
                if candidate
                else [],
            }
        )
    text = unit.candidates[default].quote.text
    gold = _gold_for(unit, state.gold_record)
    drawn = _drawn_in_gold(unit, gold, state.gold_record)
    return {
        "unit": unit,
        "text": text,
        "default": default,
        "cells": cells,
        "differs": {field: unit.differs(field) for field in FIELDS},
        "gold": gold,
        "drawn": drawn,
        "extent_inputs": [(part, f"{part}_at-{unit.index}", drawn.get(part, "")) for part in PARTS],
    }


def _gold_spans(gold, attribution) -> dict:
    spans = gold.span_by_id()
    return {part: spans.get(getattr(attribution, part)) for part in PARTS}


def _drawn_in_gold(unit: Unit, found: dict | None, gold) -> dict[str, str]:
    """Boundaries the current gold has for this quote (`found`, from `_gold_for`) that no
    version has: the reviewer's."""
    if not found or found.get("absent"):
        return {}
    drawn = {}
    for part, span in _gold_spans(gold, found["attribution"]).items():
        versions = {_extent(getattr(c, part)) for c in unit.candidates.values()}
        if span is not None and _extent(span) not in versions:
            drawn[part] = extent_text(span.pieces)
    return drawn


def _new_rows(state: review.ReviewState) -> list[dict]:
    """The current gold's quotes that no version has (the reviewer added them), then blanks."""
    rows = []
    gold = state.gold_record
    if gold is not None:
        extents = [_extent(c.quote) for unit in state.units for c in unit.candidates.values()]
        spans = gold.span_by_id()
        for attribution in gold.attributions:
            quote = spans[attribution.quote]
            if extents and match(extents, [_extent(quote)]):
                continue
            drawn = _gold_spans(gold, attribution)
            rows.append(
                {
                    "at": {p: extent_text(s.pieces) for p, s in drawn.items() if s is not None},
                    "text": quote.text,
                    "speaker_name": attribution.speaker_name,
                    "choices": {c: getattr(attribution, c) for c in CHOICES},
                }
            )
    blank = {"at": {}, "text": "", "speaker_name": "", "choices": {}}
    rows += [blank] * BLANK_NEW_ROWS
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


def _extent(span) -> Extent | None:
    return None if span is None else span.pieces


def extent_text(extent: Extent) -> str:
    """Pieces as the page writes them: "120-145", or "120-145;170-190" for a split span."""
    return ";".join(f"{start}-{end}" for start, end in extent)


def _gold_for(unit: Unit, gold) -> dict | None:
    """What the current gold says about this quote, if it has it."""
    if gold is None:
        return None
    extents = [c.quote.pieces for c in unit.candidates.values()]
    spans = gold.span_by_id()
    for attribution in gold.attributions:
        quote = spans[attribution.quote]
        if any(match([e], [quote.pieces]) for e in extents):
            speaker, cue = spans.get(attribution.speaker), spans.get(attribution.cue)
            return {
                "speaker": speaker.text if speaker else "",
                "cue": cue.text if cue else "",
                "attribution": attribution,
            }
    return {"absent": True}


def _act(request: HttpRequest, document: Document, url: str) -> HttpResponse:
    action = request.POST.get("action")
    try:
        if action in ("accept", "accept_push", "accept_next"):
            state = review.review_state(document)
            review.document_adjudicate(
                document=document,
                reviewer=request.user,
                decisions=decisions_from(request.POST, state.units),
                added=new_quotes_from(request.POST),
            )
            note = "Accepted as gold."
            if action == "accept_next":
                following = review_next(document)
                if following is None:
                    note += f" No other document of {document.collection} waits for review."
                else:
                    messages.success(request, f"Accepted “{document}” as gold; next one:")
                    return HttpResponseRedirect(
                        reverse("admin:annotations_document_review", args=[following.pk])
                    )
            if action == "accept_push":
                with client_from_settings() as client:
                    review.gold_push(document=document, client=client)
                note = "Accepted as gold and sent to Label Studio as the task's ground truth."
            messages.success(request, note)
        elif action == "send_back":
            with client_from_settings() as client:
                review.document_send_back(
                    document=document,
                    reviewer=request.user,
                    note=request.POST.get("note", ""),
                    client=client,
                )
            messages.success(request, "Sent back: the task is open again in Label Studio.")
        elif action == "reject":
            review.document_reject(
                document=document, reviewer=request.user, note=request.POST.get("note", "")
            )
            messages.success(request, "Rejected: the document is left out of the dataset.")
        else:
            messages.error(request, f"Unknown action {action!r}.")
    except (review.ReviewError, LabelStudioError) as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(url)


def decisions_from(data, units: list[Unit]) -> dict[int, Decision]:
    """The reviewer's form: per quote, whose version, whose speaker and cue, any changes."""
    decisions = default_decisions(units)
    for unit in units:
        i = unit.index
        take = data.get(f"take-{i}", decisions[i].take)
        if take == NONE:
            decisions[i] = Decision(take=None)
            continue
        decision = Decision(take=take)
        for part in ("speaker_from", "cue_from"):
            value = data.get(f"{part}-{i}", "")
            if value == NONE:
                setattr(decision, part, "")
            elif value:
                setattr(decision, part, value)
        name = data.get(f"speaker_name-{i}", "").strip()
        if name:
            decision.speaker_name = name
        for choice in CHOICES:
            value = data.get(f"{choice}-{i}", "")
            if value:
                decision.choices[choice] = "" if value == NONE else value
        for part in PARTS:
            extent = extent_from(data.get(f"{part}_at-{i}", ""), f"quote {i + 1}: the {part}")
            if extent is not None:
                decision.extents[part] = extent
        decisions[i] = decision
    return decisions


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
