"""What a person types into a search box, read into terms every database matches. Pure.

The language is small: words (every one must match), "quoted phrases" (the words in
that order) and `word*` (words that begin so). Anything else is punctuation, which
the databases' own tokenizers skip, so an external id such as
`breitbart_2015-11-11_the-ninth` reads as the phrase of its words. `parse_query`
refuses a query that cannot mean anything; `fts5_expression` and `tsquery_parts`
write the terms for SQLite's FTS5 and PostgreSQL's text search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotations.errors import DomainError

# Longer than any external id (255 characters), so a pasted id is always accepted.
MAX_QUERY_LENGTH = 300
MAX_TERMS = 20

# A quoted phrase (with an optional * after it), or a run of anything else but spaces.
TERM = re.compile(r'"(?P<phrase>[^"]*)"(?P<star>\*?)|(?P<bare>[^\s"]+)')


class SearchQueryError(DomainError):
    """A search that cannot be run as typed (the message says why)."""


@dataclass(frozen=True)
class Term:
    """A word or phrase as typed (punctuation and all); `prefix`: its last word may go on."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    typed: str  # the whole query, trimmed: also looked up as an exact external id
    terms: tuple[Term, ...]


def parse_query(typed: str) -> SearchQuery:
    """The terms of a query, or SearchQueryError saying what is wrong with it."""
    typed = typed.strip()
    if len(typed) > MAX_QUERY_LENGTH:
        raise SearchQueryError(
            f"the search is {len(typed)} characters long; at most {MAX_QUERY_LENGTH} are allowed"
        )
    if "\x00" in typed:
        raise SearchQueryError("the search contains a null character")
    if typed.count('"') % 2:
        raise SearchQueryError('the search has an unbalanced quote: close the "phrase"')
    terms = tuple(term for term in _terms(typed) if has_words(term.text))
    if not terms:
        raise SearchQueryError("the search has no words to look for, only punctuation")
    if len(terms) > MAX_TERMS:
        raise SearchQueryError(
            f"the search has {len(terms)} terms; at most {MAX_TERMS} are allowed"
        )
    return SearchQuery(typed, terms)


def _terms(typed: str) -> list[Term]:
    found = []
    for match in TERM.finditer(typed):
        if match["bare"] is not None:
            bare = match["bare"]
            found.append(Term(bare.rstrip("*"), prefix=bare.endswith("*")))
        else:
            found.append(Term(" ".join(match["phrase"].split()), prefix=bool(match["star"])))
    return found


def has_words(text: str) -> bool:
    """Whether a term holds a letter or digit (the databases index nothing else)."""
    return any(character.isalnum() for character in text)


def fts5_expression(query: SearchQuery) -> str:
    """The query as an FTS5 MATCH expression: each term a quoted string (so FTS5 reads
    no operator in it and splits it into words with the table's tokenizer), all ANDed."""
    return " AND ".join(
        '"' + term.text.replace('"', '""') + '"' + ("*" if term.prefix else "")
        for term in query.terms
    )


def tsquery_parts(query: SearchQuery) -> list[tuple[str, str]]:
    """Each term as (search type, text) for PostgreSQL: a "phrase" is read by
    phraseto_tsquery with the parser that built the index; a prefix is a "raw"
    to_tsquery operand, quoted so that nothing in it is read as an operator."""
    return [
        ("raw", _tsquery_operand(term.text) + ":*") if term.prefix else ("phrase", term.text)
        for term in query.terms
    ]


def _tsquery_operand(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"
