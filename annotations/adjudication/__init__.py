"""Merging annotators' versions of a document into one gold version, and the review view.

`merge`: quote units, decisions and the gold they give; `rows`: what the reviewer
sees and what their answers mean. Pure: plain records in, plain records out.
"""

from annotations.adjudication.merge import (
    CHOICES,
    PART_LABELS,
    PARTS,
    Candidate,
    Decision,
    NewQuote,
    Unit,
    build_gold,
    default_decisions,
    extent_problem,
    extent_span,
    units,
)
from annotations.adjudication.rows import (
    FIELDS,
    AddedRow,
    Answer,
    GoldView,
    ReviewRow,
    decisions_from,
    review_rows,
)

__all__ = [
    "CHOICES",
    "FIELDS",
    "PARTS",
    "PART_LABELS",
    "AddedRow",
    "Answer",
    "Candidate",
    "Decision",
    "GoldView",
    "NewQuote",
    "ReviewRow",
    "Unit",
    "build_gold",
    "decisions_from",
    "default_decisions",
    "extent_problem",
    "extent_span",
    "review_rows",
    "units",
]
