"""Speaker mentions: finding the noun phrase next to a cue, naming its entity, and
resolving pronouns and short names to the person or body they stand for."""

from __future__ import annotations

from dataclasses import dataclass

from annotations.preannotate.lexicon import (
    ABBREVIATIONS,
    DAYS,
    FEMALE_NAMES,
    FEMALE_WORDS,
    FORM_TO_BASE,
    MALE_NAMES,
    MALE_WORDS,
    NP_CONNECTORS,
    NP_SKIP,
    NP_STOP,
    ORGANISATION_WORDS,
    PERSON_ROLES,
    PRONOUNS,
    STANDALONE_QUANTIFIERS,
    TITLES,
    VERBISH,
)
from annotations.preannotate.text import Text, Token

DASHES = {"—", "–", "--"}
PARTS_OF_DAY = {"morning", "afternoon", "evening", "night"}
# Days and a few time nouns: "…, Friday declared", "Beck … last week said".
WHEN_WORDS = DAYS | {"last", "week", "month", "year", "past"} | PARTS_OF_DAY

DETERMINERS = {
    "the",
    "a",
    "an",
    "its",
    "his",
    "her",
    "their",
    "our",
    "one",
    "two",
    "three",
    "four",
    "five",
    "several",
    "some",
    "many",
    "both",
}
# Capitalised words that start a sentence without starting a speaker's name.
NOT_NAMES = {
    "even",
    "only",
    "just",
    "like",
    "shortly",
    "finally",
    "earlier",
    "later",
    "in",
    "on",
    "at",
    "before",
    "after",
    "according",
    "asked",
    "speaking",
    "not",
    "and",
    "but",
    "or",
    "so",
    "when",
    "while",
    "as",
    "to",
    "it",
    "this",
    "that",
    "there",
    "here",
    "if",
    "for",
    "with",
    "from",
    "by",
    "of",
    "during",
    "since",
    "although",
    "though",
    "however",
    "meanwhile",
    "yet",
    "still",
    "also",
    "then",
    "what",
    "why",
    "how",
    "where",
    "who",
    "which",
    "both",
    "neither",
    "each",
    "every",
    "all",
    "no",
    "once",
    "instead",
    "despite",
    "until",
    "unless",
}
APPOSITIVE_STARTS = {
    "who",
    "which",
    "whose",
    "whom",
    "where",
    "in",
    "on",
    "at",
    "after",
    "before",
    "speaking",
    "asked",
    "when",
    "while",
}
MAX_NP = 12
# Reporting verbs whose base form is also a common noun at the head of a subject.
NOUN_LIKE_VERBS = {
    "report",
    "study",
    "claim",
    "statement",
    "note",
    "call",
    "question",
    "survey",
    "estimate",
    "forecast",
    "post",
    "promise",
    "demand",
    "reply",
    "state",
}


@dataclass
class Mention:
    start: int
    end: int
    text: str
    # "pronoun", "name" or "description".
    kind: str
    # "person", "group", "org" or "" (not known).
    category: str
    entity: str = ""
    antecedent: Mention | None = None
    # The head noun of a description ("study" in "a study by the University of X").
    head: str = ""
    # "m" or "f" when a title, role or given name tells; else "".
    gender: str = ""


def np_before(text: Text, end: int, *, sentence_start: int) -> tuple[int, int] | None:
    """The noun phrase that ends just before token `end` (the subject of a cue)."""
    tokens = text.tokens
    i = end - 1
    # Lower-case only: "Theresa May said", "Fair Money Now said". A day or a month is
    # when, never who: "…, Friday declared" looks further back.
    progressive = end < len(tokens) and tokens[end].lower.endswith("ing")
    while i >= sentence_start and (
        _between_subject_and_verb(tokens[i])
        or (progressive and tokens[i].lower in BE_FORMS)
        or _time_preposition(text, i, end)
    ):
        i -= 1
    if i < sentence_start:
        return None
    if tokens[i].text == ")":
        # "Rep. Ann Lee (D-Ohio) said": the name stands before the parenthesis.
        opening = next(
            (k for k in range(i - 1, max(sentence_start, i - 10) - 1, -1) if tokens[k].text == "("),
            None,
        )
        return np_before(text, opening, sentence_start=sentence_start) if opening else None
    if tokens[i].text == ",":
        return _before_comma(text, i, sentence_start)
    if tokens[i].text in DASHES:
        # "Joyce — who is listed as an attorney — told …": the name before the aside.
        opening = next(
            (
                k
                for k in range(i - 1, max(sentence_start, i - 30) - 1, -1)
                if tokens[k].text in DASHES
            ),
            None,
        )
        return np_before(text, opening, sentence_start=sentence_start) if opening else None
    start = i + 1
    while i >= sentence_start and _np_word(text, i, start):
        start = i
        i -= 1
    start = _list_before(text, start, end, sentence_start)
    start = _source_before(text, start, sentence_start)
    found = _trim(text, start, _last_word(text, end, progressive=progressive))
    if found is None and start < end and tokens[end - 1].lower in STANDALONE_QUANTIFIERS:
        return end - 1, end  # "Some said …", "Both insisted …"
    return found


# Forms of "be" before a progressive cue: "The White House is saying", "isn't saying".
BE_FORMS = {
    "is",
    "are",
    "was",
    "were",
    "been",
    "be",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "isn’t",
    "aren’t",
    "wasn’t",
    "weren’t",
    "keeps",
    "kept",
    "keep",
}


TIME_OPENERS = {"on", "this", "late", "early", "earlier", "in", "the"}


def _time_preposition(text: Text, i: int, end: int) -> bool:
    """'Spicer on Thursday evening said', 'Lee this week said': the "on" or "this" of a
    time phrase between the subject and the cue."""
    tokens = text.tokens
    if i + 1 >= end or tokens[i].lower not in TIME_OPENERS:
        return False
    following = tokens[i + 1].lower
    if tokens[i].lower in ("in", "the"):
        # "has in the past said"
        return following == "past" or following == "the" and tokens[i + 2].lower == "past"
    return following in WHEN_WORDS or following in PARTS_OF_DAY


def _between_subject_and_verb(token: Token) -> bool:
    """Helper verbs, adverbs and days: "he would never", "Cruz separately", "…, Friday"."""
    lower = token.lower
    return (lower in NP_SKIP and not token.capitalized) or lower in WHEN_WORDS or _adverb(token)


def _adverb(token: Token) -> bool:
    """'separately', 'jokingly': an -ly adverb between a subject and its verb."""
    lower = token.lower
    return (
        not token.capitalized and len(lower) > 5 and lower.endswith("ly") and lower not in LY_NOUNS
    )


LY_NOUNS = {"assembly", "family", "supply", "rally", "monopoly", "anomaly", "butterfly"}


def _list_before(text: Text, start: int, end: int, sentence_start: int) -> int:
    """'the leaders of France, Germany and Britain said': a name before the cue that
    ends a list of names (items joined by commas and a last "and") takes the list in,
    and whatever the list's first item belongs to."""
    tokens = text.tokens

    def item_start(last: int) -> int | None:
        k = last
        while k >= sentence_start and last - k < 3 and tokens[k].is_word and tokens[k].capitalized:
            if text.segment_of[k] != -1:
                return None
            k -= 1
        return k + 1 if k < last else None

    if not tokens[start].capitalized:
        return start
    moved, joined = start, False
    while moved - 2 >= sentence_start:
        separator = moved - 1
        if not joined and tokens[separator].lower in ("and", "or"):
            joined = True
            if tokens[separator - 1].text == ",":
                separator -= 1  # "France, Germany, and Britain"
        elif not (joined and tokens[separator].text == ","):
            break
        first = item_start(separator - 1)
        if first is None:
            break
        moved = first
    if not joined or moved == start:
        return start
    i = moved - 1
    while i >= sentence_start and _np_word(text, i, moved):
        moved = i
        i -= 1
    return moved


# "Dmitry Peskov, the Kremlin spokesman, said": a description between commas.
APPOSITION_DETERMINERS = {"a", "an", "the", "its", "his", "her", "their"}
PARTICIPLE_FOLLOWERS = {
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "with",
    "to",
    "into",
    "as",
    "last",
    "this",
    "earlier",
    "late",
    "yesterday",
    "after",
    "before",
    "during",
    "over",
    "under",
    "about",
}
# "a person familiar with the talks", "sources close to the minister": the phrase
# describes the unnamed source before it, who is the speaker.
SOURCE_BRIDGES = (
    ("familiar", "with"),
    ("close", "to"),
    ("briefed", "on"),
    ("knowledgeable", "about"),
    ("with", "knowledge", "of"),
    ("involved", "in"),
    ("privy", "to"),
)


def _source_before(text: Text, start: int, sentence_start: int) -> int:
    tokens = text.tokens
    for bridge in SOURCE_BRIDGES:
        at = start - len(bridge)
        if at <= sentence_start or tuple(t.lower for t in tokens[at:start]) != bridge:
            continue
        i, head = at - 1, at
        while i >= sentence_start and _np_word(text, i, at) and at - i <= 4:
            head = i
            i -= 1
        return head if head < at else start
    return start


def _before_comma(text: Text, comma: int, sentence_start: int) -> tuple[int, int] | None:
    """X, who ..., said / X, Name, said: skip a relative or participle clause, take a name."""
    tokens = text.tokens
    first = comma - 1
    while first >= sentence_start and tokens[first].text != ",":
        if text.segment_of[first] != -1:
            return None
        first -= 1
    if first < sentence_start:
        return None  # the comma ends an introductory phrase: no subject before the cue
    inner = (first + 1, comma)
    # "The senator, a Democrat from Ohio, said", "The report, published on Monday,
    # found": an indefinite description or a participle describes the subject before
    # it; a name ("The chief executive, John Park, said") names it.
    opening, following = tokens[inner[0]], tokens[min(inner[0] + 1, comma)]
    describes = opening.lower in APPOSITION_DETERMINERS or (
        not opening.capitalized
        and opening.lower.endswith(("ed", "ing"))
        and following.lower in PARTICIPLE_FOLLOWERS  # "published on", not "retired judge"
    )
    # "John Archer, wearing a T-shirt covered in Sanders buttons, said"
    describes = describes or (
        not opening.capitalized and opening.lower.endswith("ing") and following.lower in DETERMINERS
    )
    described = describes and np_before(text, first, sentence_start=sentence_start)
    if described:
        return described
    before = np_before(text, first, sentence_start=sentence_start)
    # "Ruth Marcus, editorial board editor for The Washington Post, asked": the name
    # comes first and the aside describes it.
    named_first = before and all(t.capitalized for t in tokens[before[0] : before[1]] if t.is_word)
    if named_first and not tokens[inner[0]].capitalized:
        return before
    if tokens[inner[0]].lower not in APPOSITIVE_STARTS and any(
        tokens[k].capitalized for k in range(*inner)
    ):
        found = np_before(text, comma, sentence_start=first + 1)
        if found:
            return found
    return before


def _np_word(text: Text, i: int, right: int) -> bool:
    token = text.tokens[i]
    if text.segment_of[i] != -1 or right - i > MAX_NP:
        return False
    if token.text in ("’", "'"):
        return (
            i > 0
            and text.tokens[i - 1].lower.endswith("s")
            and text.tokens[i - 1].end == token.start
        )
    if token.text == ".":
        return _abbreviation_dot(text, i)
    if not token.is_word:
        return False
    lower = token.lower
    if lower in NP_CONNECTORS or lower in DETERMINERS:
        return True
    if token.capitalized:
        return lower not in NOT_NAMES or i == right - 1 and lower in ("it",)
    return not (
        lower in NP_STOP
        or lower in VERBISH
        or _verb_form(lower)
        or lower.endswith("ly")
        or (lower.endswith("ing") and lower not in ING_NOUNS)
    )


# Nouns in -ing that head a source: "Exit polling shows …", "the ruling found …".
ING_NOUNS = {"polling", "briefing", "filing", "ruling", "hearing", "meeting", "reporting"}


def _verb_form(lower: str) -> bool:
    """A reporting verb's inflected form ("said", "reported"); "report" may be a noun."""
    base = FORM_TO_BASE.get(lower)
    return base is not None and (lower != base or base not in NOUN_LIKE_VERBS)


def _last_word(text: Text, end: int, *, progressive: bool = False) -> int:
    i = end
    while i > 0 and (
        _between_subject_and_verb(text.tokens[i - 1])
        or (progressive and text.tokens[i - 1].lower in BE_FORMS)
        or _time_preposition(text, i - 1, end)
    ):
        i -= 1
    return i


def _trim(text: Text, start: int, end: int) -> tuple[int, int] | None:
    tokens = text.tokens
    while start < end and tokens[start].lower in NP_CONNECTORS - {"the", "a", "an"}:
        start += 1
    while end > start and (
        tokens[end - 1].lower in NP_CONNECTORS or tokens[end - 1].lower in DETERMINERS
    ):
        end -= 1
    if start >= end:
        return None
    words = [t for t in tokens[start:end] if t.is_word]
    if not words or all(w.lower in DETERMINERS | NP_CONNECTORS for w in words):
        return None
    return start, end


def np_after(
    text: Text, start: int, *, sentence_end: int, until_end: bool = False
) -> tuple[int, int] | None:
    """The noun phrase that starts at token `start` (an inverted subject: said X)."""
    end = start
    while end < sentence_end and text.segment_of[end] == -1:
        if _ends_phrase(text, end, start, until_end=until_end):
            break
        end += 1
        if end - start > (30 if until_end else MAX_NP):
            return None
    found = _trim(text, start, end)
    if found is not None and not until_end:
        for bridge in SOURCE_BRIDGES:
            after = found[1] + len(bridge)
            if tuple(t.lower for t in text.tokens[found[1] : after]) == bridge:
                rest = np_after(text, after, sentence_end=sentence_end)
                return (found[0], rest[1]) if rest else found
    return found


def _ends_phrase(text: Text, i: int, start: int, *, until_end: bool) -> bool:
    token = text.tokens[i]
    if until_end:
        return token.text in (",", ";", ":", ".", "?", "!") and not _abbreviation_dot(text, i)
    if token.lower in NP_STOP or (token.lower in FORM_TO_BASE and i > start):
        return True
    if token.lower in ("whether", "if") and i > start:
        return True
    return not (token.is_word or _abbreviation_dot(text, i) or token.text in ("’", "'"))


def _abbreviation_dot(text: Text, i: int) -> bool:
    """The dot of "Dr." or of an initial ("J. Smith"), not a full stop."""
    token = text.tokens[i]
    if token.text != "." or i == 0 or text.tokens[i - 1].end != token.start:
        return False
    before = text.tokens[i - 1]
    return before.lower in ABBREVIATIONS or (len(before.text) == 1 and before.capitalized)


def subject_at(text: Text, sentence: int, *, after_opening: bool = False) -> tuple[int, int] | None:
    """A sentence's opening noun phrase, when the sentence opens with one; with
    `after_opening`, also the one after an opening phrase ("In a statement, …")."""
    start, end = text.sentences[sentence]
    while start < end and not text.tokens[start].is_word:
        start += 1
    if start >= end or text.segment_of[start] != -1:
        return None
    first = text.tokens[start]
    opened = _opening_phrase(text, start, end) if after_opening else None
    if opened is not None:
        # "During a speech in Ohio, Trump attacked …": the subject follows the scene.
        start, first = opened, text.tokens[opened]
        if not first.capitalized and first.lower not in OPENED_SUBJECTS:
            return None
    elif not first.capitalized:
        return None
    if first.lower in NOT_NAMES or first.lower in FORM_TO_BASE:
        return None
    stop = start
    while stop < end and stop - start < MAX_NP:
        token = text.tokens[stop]
        if text.segment_of[stop] != -1 or token.text in (",", ";", ":", "?", "!"):
            break
        if token.text == "." and not _abbreviation_dot(text, stop):
            break
        lower = token.lower
        if (
            stop > start
            and not token.capitalized
            and (
                lower in NP_STOP
                or lower in VERBISH
                or lower in FORM_TO_BASE
                or lower.endswith(("ed", "ly"))
                or (
                    lower.endswith("s")
                    and not lower.endswith("ss")
                    and lower not in PERSON_ROLES
                    and _plural_after_name(text, stop, start)
                )
            )
        ):
            break
        stop += 1
    return _trim(text, start, stop)


# Words opening a phrase that sets the scene before a sentence's subject.
OPENERS = NOT_NAMES - {"it", "this", "that", "there", "here", "what", "who", "which", "both"}
OPENERS |= {"following", "amid", "under", "over", "through", "throughout", "without", "later"}
OPENED_SUBJECTS = {"he", "she", "they", "we", "i", "the", "a", "an", "his", "her", "their", "its"}


def _opening_phrase(text: Text, start: int, end: int) -> int | None:
    """Where the subject starts after an opening phrase and its comma ("In a statement,",
    "Asked about it,"), or None when the sentence does not open with one."""
    lower = text.tokens[start].lower
    if lower not in OPENERS and not (lower in FORM_TO_BASE and lower.endswith(("ed", "ing"))):
        return None
    for k in range(start + 1, min(start + 25, end - 1)):
        if text.segment_of[k] != -1 or text.tokens[k].text in (";", ":", ".", "?", "!"):
            return None
        if text.tokens[k].text == ",":
            return k + 1 if text.tokens[k + 1].is_word else None
    return None


def _plural_after_name(text: Text, i: int, start: int) -> bool:
    """'Zoomly insists': a lower-case -s word right after a capitalised run is a verb."""
    return text.tokens[i - 1].capitalized


def mention(text: Text, span: tuple[int, int], names: dict[str, str]) -> Mention:
    found = _mention(text, span, names)
    if found.kind != "pronoun":
        words = [t.lower.rstrip(".") for t in text.tokens[span[0] : span[1]] if t.is_word]
        found.gender = gender_of(words) or gender_of_name(found.entity)
    return found


def gender_of(words: list[str]) -> str:
    """'m' or 'f' when one of the (lower-case) words is a gendered title or role."""
    if any(word in MALE_WORDS for word in words):
        return "m"
    if any(word in FEMALE_WORDS for word in words):
        return "f"
    return ""


def gender_of_name(name: str) -> str:
    """'m' or 'f' when a person's name of two words or more has a given name used for
    one only before the surname ("Karen Holt", "Engineer Tom Bassey")."""
    for word in name.lower().split()[:-1]:
        if word in MALE_NAMES:
            return "m"
        if word in FEMALE_NAMES:
            return "f"
    return ""


def _mention(text: Text, span: tuple[int, int], names: dict[str, str]) -> Mention:
    tokens = text.tokens[span[0] : span[1]]
    start, end = tokens[0].start, tokens[-1].end
    surface = text.text[start:end]
    lower = surface.lower()
    if len(tokens) == 1 and lower in PRONOUNS:
        return Mention(start, end, surface, "pronoun", PRONOUNS[lower])
    if any(t.lower in ("and", "or") for t in tokens[1:-1]) and tokens[-1].capitalized:
        # "Germany and Britain", "the leaders of France, Germany and Italy": several
        # speakers, named together.
        words = [t for t in tokens if t.is_word]
        core = words[1:] if words[0].lower in DETERMINERS else words
        return Mention(start, end, surface, "description", "group", text.text[core[0].start : end])
    name = _name_part(tokens)
    if name is not None and name[-1].lower in ORGANISATION_WORDS:
        name = _organisation_name(tokens) or name
    if name is not None:
        entity = text.text[name[0].start : name[-1].end]
        resolved = names.get(name[-1].text, entity) if len(name) == 1 else entity
        titled = any(t.lower in TITLES for t in tokens[: len(tokens) - len(name)])
        if (
            len(name) == 1
            and resolved == entity
            and not titled
            or any(t.lower in ORGANISATION_WORDS for t in name)
        ):
            category = "org"
        else:
            category = "person"
        if len(name) >= 2 and name[0].lower in ("dr", "mr", "mrs", "ms", "prof"):
            resolved = names.get(name[-1].text, resolved)
        return Mention(start, end, surface, "name", category, _strip_titles(resolved))
    words = [t for t in tokens if t.is_word]
    core = words[1:] if words and words[0].lower in DETERMINERS and len(words) > 1 else words
    head = _head(core)
    if head is not None and (
        head.lower in PERSON_ROLES or head.lower in MALE_WORDS or head.lower in FEMALE_WORDS
    ):
        category = "person"  # "a spokeswoman for the firm" is a person, not the firm
    elif any(t.lower in ORGANISATION_WORDS for t in core):
        category = "org"
    elif head is not None and head.lower.endswith("s") and not head.lower.endswith("ss"):
        category = "group"
    else:
        category = ""
    described = text.text[core[0].start : core[-1].end] if core else surface
    found = Mention(start, end, surface, "description", category, described)
    found.head = head.lower if head is not None else ""
    return found


def _name_part(tokens: list[Token]) -> list[Token] | None:
    """The trailing proper name of a phrase made of titles and a name, if that is its shape."""
    run: list[Token] = []
    for token in reversed(tokens):
        if token.text == "." and run:
            run.insert(0, token)
            continue
        if token.is_word and token.capitalized and token.lower not in TITLES:
            run.insert(0, token)
            continue
        break
    words = [t for t in run if t.is_word]
    if not words:
        return None
    rest = tokens[: len(tokens) - len(run)]
    if any(t.lower in NP_CONNECTORS - {"the", "a", "an"} for t in rest):
        return None  # "analysts at Corbel Securities" is a description
    while run and run[0].text == ".":
        run.pop(0)
    # A leading abbreviation title with its dot ("Dr. Ines Marlow").
    if len(run) >= 3 and run[1].text == "." and run[0].lower in ("dr", "mr", "mrs", "ms", "prof"):
        run = run[2:]
    return run or None


def _organisation_name(tokens: list[Token]) -> list[Token] | None:
    """A body's name runs over every capitalised word before its last ("Foreign Ministry")."""
    run: list[Token] = []
    for token in reversed(tokens):
        if (token.is_word and token.capitalized and token.lower not in DETERMINERS) or (
            token.text in ("’", "'", "&") and run
        ):
            run.insert(0, token)
            continue
        break
    return run or None


def _head(words: list[Token]) -> Token | None:
    """The noun a description is about: the last word before what modifies it."""
    for index, token in enumerate(words):
        lower = token.lower
        ends = lower in NP_CONNECTORS - {"the", "a", "an"} or lower in NP_STOP
        if ends or (index and lower.endswith("ed") and not token.capitalized):
            return words[index - 1] if index else None
    return words[-1] if words else None


def _strip_titles(name: str) -> str:
    parts = name.split()
    while len(parts) > 1 and parts[0].lower().rstrip(".") in TITLES:
        parts.pop(0)
    return " ".join(parts)


def person_names(text: Text) -> dict[str, str]:
    """Last name -> full name, for every run of two or more capitalised words in the text."""
    names: dict[str, str] = {}
    run: list[Token] = []
    segment_of = text.segment_of
    for token in [*text.tokens, None]:
        if token is not None and token.capitalized:
            if token.is_word and segment_of[token.index] == -1 and token.lower not in NOT_NAMES:
                run.append(token)
                continue
        elif not run:
            continue  # most words: nothing to close
        # A name starts after the run's last title or possessive:
        # "Ukraine's President Volodymyr Zelenskyy" -> "Volodymyr Zelenskyy".
        after = max(
            (
                k + 1
                for k, t in enumerate(run)
                if t.lower in TITLES or t.lower.endswith(("'s", "’s"))
            ),
            default=0,
        )
        words = [t for t in run[after:] if t.lower not in TITLES]
        if len(words) >= 2 and not any(t.lower in ORGANISATION_WORDS for t in words):
            full = " ".join(t.text for t in words[-3:])
            names.setdefault(words[-1].text, full)
        elif len(run) >= 2 and run[-1].lower in ORGANISATION_WORDS:
            # A body is shortened to its first word: "Orbis Foods" -> "Orbis".
            names.setdefault(run[0].text, " ".join(t.text for t in run))
        run = []
    return names


def compatible(pronoun: str, category: str) -> bool:
    wanted = PRONOUNS.get(pronoun.lower(), "")
    if wanted == "person":
        return category == "person"
    if wanted == "group":
        return category in ("group", "org")
    return category == "org"
