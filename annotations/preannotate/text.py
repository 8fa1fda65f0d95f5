"""Tokens, sentences and quoted segments of a text, with character offsets."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from annotations.preannotate.lexicon import ABBREVIATIONS, SPEECH_VERBS

TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\d+(?:[.,]\d+)*|\w+(?:[’'\-]\w+)*|\.\.\.|[^\w\s]")
# Two apostrophes stand for a double mark in some newspapers' text (''We will,'' he said).
DOUBLE_OPENERS = {"“": "”", "„": "“", "«": "»", '"': '"', "''": "''"}
SINGLE_OPENERS = {"‘": "’", "‹": "›", "'": "'"}
ENDS = {".", "?", "!", "…"}
PARENTHESIS_WORDS = 12
MARKS = re.compile("''|[\"'“”„«»‘’‹›]")


@dataclass(slots=True)
class Token:
    text: str
    lower: str
    start: int
    end: int
    index: int
    capitalized: bool
    is_word: bool


@dataclass(frozen=True, slots=True)
class Segment:
    """Text inside quote marks, marks included; `inner` for quotes inside quotes."""

    start: int
    end: int
    inner: bool = False


@dataclass
class Text:
    text: str
    tokens: list[Token] = field(default_factory=list)
    # Token index ranges [start, end) of sentences, and each token's sentence.
    sentences: list[tuple[int, int]] = field(default_factory=list)
    sentence_of: list[int] = field(default_factory=list)
    paragraph_of: list[int] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    # The outer segment each token lies in (index into segments), or -1.
    segment_of: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def between(self, start: int, end: int) -> str:
        return self.text[start:end]

    def token_at_or_after(self, offset: int) -> int:
        return bisect_left(self.starts, offset)


# '"A, he said. B."': a closing and an opening mark were left out around the cue.
INNER_CUE = re.compile(
    r",\s+(?:he|she|they|it|we|I|[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})\s+"
    r"(?:said|says|added|adds|asked|continued|explained|insisted|told\s+\w+)[.,]\s+(?=[A-Z])"
)


def analyse(text: str) -> Text:
    result = Text(text)
    spans = [match.span() for match in TOKEN.finditer(text)]
    markup = _markup(text)
    if markup:
        # Markup is no one's words: its tokens are left out, offsets stay the text's.
        starts = [a for a, _ in markup]

        def visible(start: int) -> bool:
            inside = bisect_left(starts, start + 1) - 1
            return inside < 0 or start >= markup[inside][1]

        spans = [span for span in spans if visible(span[0])]
    # Lower-cased with straight apostrophes: "don’t" reads as "don't". One pass over
    # the whole text where lower-casing keeps every offset (it nearly always does).
    lowered = text.lower().replace("’", "'")
    if len(lowered) != len(text):
        lowered = "".join(c.lower()[:1] or c for c in text).replace("’", "'")
    make = Token
    result.tokens = tokens = []
    append = tokens.append
    for i, (start, end) in enumerate(spans):
        word = text[start:end]
        first = word[0]
        append(make(word, lowered[start:end], start, end, i, first.isupper(), first.isalnum()))
    result.starts = [start for start, _ in spans]
    result.segments = split_unclosed(text, quoted_segments(text))
    result.paragraph_of = _paragraphs(text, result.starts)
    result.segment_of = _segment_of(result.starts, result.segments)
    result.sentences = _sentences(result)
    result.sentence_of = [0] * len(result.tokens)
    for number, (start, end) in enumerate(result.sentences):
        result.sentence_of[start:end] = [number] * (end - start)
    return result


def _paragraphs(text: str, starts: list[int]) -> list[int]:
    """Each token's paragraph: how many line breaks come before it."""
    breaks = [m.start() for m in re.finditer(r"\n", text)]
    return [bisect_left(breaks, start) for start in starts]


def _segment_of(starts: list[int], segments: list[Segment]) -> list[int]:
    """Each token's outer segment (the first that holds it), or -1."""
    owners = [-1] * len(starts)
    for number, segment in enumerate(segments):
        if segment.inner:
            continue
        for index in range(bisect_left(starts, segment.start), bisect_left(starts, segment.end)):
            if owners[index] == -1:
                owners[index] = number
    return owners


def _sentences(text: Text) -> list[tuple[int, int]]:
    tokens, sentences, start = text.tokens, [], 0
    closing = {segment.end - 1 for segment in text.segments}
    closing |= {s.end - 2 for s in text.segments if text.text.startswith("''", s.end - 2)}
    opening = {segment.start for segment in text.segments}
    count, paragraph_of = len(tokens), text.paragraph_of
    # "(R-S.C.)": a full stop in a short parenthesis ends no sentence; one left open
    # stops counting after a few words.
    opened = -1
    for i, token in enumerate(tokens):
        if i + 1 == count or paragraph_of[i + 1] != paragraph_of[i]:
            sentences.append((start, i + 1))
            start = i + 1
            opened = -1
            continue
        if token.text == "(":
            opened = i
        elif token.text == ")":
            opened = -1
        if (opened != -1 and i - opened <= PARENTHESIS_WORDS) or token.text not in ENDS:
            continue
        if token.text == "." and _abbreviation(tokens, i):
            continue
        following = i + 1
        while following < count and tokens[following].start in closing:
            following += 1
        if following >= count:
            continue
        nxt = tokens[following]
        opens = nxt.start in opening
        if following > i + 1 and not opens and _cue_closes(tokens, following, paragraph_of):
            continue  # '“Can she stay?” Trump asked.': the cue ends the quote's sentence
        bracketed = nxt.text == "(" and following + 1 < count and tokens[following + 1].capitalized
        if nxt.capitalized or nxt.text.isdigit() or opens or bracketed:
            # A sentence ending inside a quote only ends the sentence if the quote ends too.
            if text.segment_of[i] != -1 and following == i + 1 and not opens:
                inside_after = text.segment_of[following] == text.segment_of[i]
                if inside_after:
                    continue
            sentences.append((start, following))
            start = following
    return [s for s in sentences if s[0] < s[1]]


def _cue_closes(tokens: list[Token], k: int, paragraph_of: list[int]) -> bool:
    """A short speaker and a reporting verb that end the sentence follow ("Trump said.",
    "said Ms. Lee, smiling", "Trump said on Monday.")."""
    aside = False
    for j in range(k, min(k + 10, len(tokens))):
        token = tokens[j]
        if j - k >= 6 and not aside:
            return False  # six words with no aside: not a speaker's name
        if paragraph_of[j] != paragraph_of[k] or token.text in ENDS or token.text in '“"':
            return False
        if token.lower in SPEECH_VERBS:
            # "Lee, 34, said." — but "His assumption, confidently stated …" starts a new
            # sentence: after an aside, the verb follows its closing comma.
            if aside and tokens[j - 1].text != ",":
                return False
            break
        aside = aside or token.text == ","
    else:
        return False
    for count, rest in enumerate(tokens[j + 1 : j + 12]):
        if rest.text in (",", ";") or paragraph_of[rest.index] != paragraph_of[k]:
            return True
        if rest.text in ENDS:
            # "Trump said on Monday." — but "She says he is unqualified to serve." is
            # a sentence of its own.
            return count <= 4 or tokens[j + 1].lower in ("on", "in", "at", "during", "after")
        if rest.lower == "that" or rest.text in ':“"‘' or rest.lower in SPEECH_VERBS:
            return False
    return False


def _abbreviation(tokens: list[Token], index: int) -> bool:
    if index == 0:
        return False
    before = tokens[index - 1]
    if before.end != tokens[index].start:
        return False
    return before.lower in ABBREVIATIONS or (len(before.text) == 1 and before.text.isupper())


def split_unclosed(text: str, segments: list[Segment]) -> list[Segment]:
    result = []
    for segment in segments:
        match = None if segment.inner else INNER_CUE.search(text, segment.start, segment.end)
        if match is None:
            result.append(segment)
        else:
            result.append(Segment(segment.start, match.start() + 1))
            result.append(Segment(match.end(), segment.end))
    return result


def quoted_segments(text: str) -> list[Segment]:
    """Quoted stretches, paragraph by paragraph; a quote left open at the end of a
    paragraph runs on when the next paragraph opens with a quote mark (the news
    convention), and otherwise ends with its paragraph."""
    segments: list[Segment] = []
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    carried: tuple[str, int] | None = None
    markup = _markup(text)
    for number, (p_start, p_end) in enumerate(paragraphs):
        found, still_open = _paragraph_segments(text, p_start, p_end, carried, markup)
        segments.extend(found)
        carried = None
        if still_open is not None:
            following = paragraphs[number + 1][0] if number + 1 < len(paragraphs) else None
            if following is not None and text[following] == still_open[0]:
                carried = still_open
            else:
                end = p_end
                while end > still_open[1] and text[end - 1].isspace():
                    end -= 1
                segments.append(Segment(still_open[1], end))
    return sorted(segments, key=lambda s: (s.start, -s.end))


# Markup whose quote marks are code, not quotation: HTML tags and JSON-like objects.
MARKUP = re.compile(r"<[A-Za-z/!][^<>\n]{0,500}>|\{[^{}\n]{0,2000}\}")


def _markup(text: str) -> list[tuple[int, int]]:
    """Stretches of markup: a tag, or braces holding '"key":' pairs."""
    return [
        m.span()
        for m in MARKUP.finditer(text)
        if m.group().startswith("<") or re.search(r"[\"']\s*:", m.group())
    ]


def _paragraph_segments(
    text: str,
    start: int,
    end: int,
    carried: tuple[str, int] | None,
    markup: list[tuple[int, int]] = (),
) -> tuple[list[Segment], tuple[str, int] | None]:
    segments: list[Segment] = []
    stack: list[tuple[str, int]] = []
    if carried is not None:
        stack.append(carried)
        # The paragraph's own opening mark continues the carried quote.
        start += 1
    starts = [a for a, _ in markup]
    for match in MARKS.finditer(text, start, end):
        index, char = match.start(), match.group()
        inside = bisect_left(starts, index + 1) - 1
        if inside >= 0 and index < markup[inside][1]:
            continue  # an attribute's value or a JSON string: not a quotation
        if stack and _closes(text, index, char, stack[-1][0]):
            opener, opened = stack.pop()
            segments.append(Segment(opened, match.end(), inner=bool(stack)))
        elif (
            char in DOUBLE_OPENERS
            and _opens(text, index, char, stack)
            or char in SINGLE_OPENERS
            and _opens(text, index, char, stack)
        ):
            stack.append((char, index))
        elif char == "”" and stack:
            # A double closing mark ends whatever is open (mixed marks: ‘ … ”).
            opener, opened = stack.pop()
            while stack:
                opener, opened = stack.pop()
            segments.append(Segment(opened, index + 1))
        elif char in ('"', "''") and any(open_char == char for open_char, _ in stack):
            # '"… in the '80s," he said': a stray single mark is left open inside.
            while stack[-1][0] != char:
                stack.pop()
            opener, opened = stack.pop()
            segments.append(Segment(opened, match.end(), inner=bool(stack)))
    return segments, (stack[0] if stack else None)


def _opens(text: str, index: int, char: str, stack: list[tuple[str, int]]) -> bool:
    before = text[index - 1] if index > 0 else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    if char in ("'", "‘", "’", "‹") and (before.isalnum() or after.isspace() or after.isdigit()):
        return False  # an apostrophe (don't, the '90s) or a stray mark
    if char == "''":
        after = text[index + 2] if index + 2 < len(text) else " "
        if not (after.isalnum() or after in "‘'\"“([…"):
            return False  # "he said ''." is a stray mark
    if char in ('"', "''") and any(open_char == char for open_char, _ in stack):
        return False
    return not after.isspace() or char in "«„“"


def _closes(text: str, index: int, char: str, opener: str) -> bool:
    expected = DOUBLE_OPENERS.get(opener) or SINGLE_OPENERS.get(opener)
    if char != expected and not (opener == "„" and char == "”"):
        return False
    if char in ("'", "’"):
        after = text[index + 1] if index + 1 < len(text) else " "
        before = text[index - 1] if index > 0 else " "
        if after.isalnum() and before.isalnum():
            return False  # don’t, Ukraine’s
        if before.isspace():
            return False
    return True
