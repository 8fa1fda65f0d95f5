"""Quotes, cues and speakers found by rules, sentence by sentence.

A quoted segment followed by a cue ("…," she said) is a direct quote; a cue
followed by a clause (he said that …) is an indirect quote, mixed when the
clause holds quoted fragments; "according to X" works either way round; a
quoted paragraph with no cue continues the previous speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from annotations.preannotate.lexicon import (
    CLAUSE_BREAKS,
    CLAUSE_VERBS,
    COMPLEMENTISERS,
    DEMAND_CUES,
    FORM_TO_BASE,
    NP_SKIP,
    OBJECT_ACTS,
    PHRASES,
    PRONOUN_GENDER,
    QUESTION_CUES,
    SPEECH_VERBS,
    STANDALONE_QUANTIFIERS,
    TIME_WORDS,
    VERBISH,
)
from annotations.preannotate.speakers import (
    BE_FORMS,
    DETERMINERS,
    Mention,
    compatible,
    mention,
    np_after,
    np_before,
    person_names,
    subject_at,
)
from annotations.preannotate.text import Segment, Text, Token, analyse

# Bases that are also common nouns ("his report", "a claim"); as verbs they need a complement.
NOUN_LIKE = {
    "report",
    "claim",
    "note",
    "state",
    "question",
    "promise",
    "demand",
    "estimate",
    "forecast",
    "reply",
    "stress",
    "post",
    "call",
    "vow",
    "pledge",
    "fear",
    "hope",
    "comment",
    "joke",
    "counter",
    "signal",
    "point",
    "continue",
    "find",
    "describe",
    "expect",
    "believe",
    "think",
    "feel",
    "agree",
}
TELLING = {"tell", "inform", "ask", "remind", "assure", "warn", "brief", "advise"}
OBJECT_PRONOUNS = {"him", "her", "them", "us", "me", "it", "you"}
PASSIVE = {"been", "be", "being", "was", "were", "is", "are"}
WH_WORDS = {"what", "which", "who", "whom", "whose", "how", "where", "when", "why"}
POSSESSIVE_BEFORE = DETERMINERS | {"this", "that", "these", "those", "my", "your"}
SUBJECTS = {"he", "she", "it", "they", "we", "i", "there"}
# Speech acts that commit the speaker, with an infinitive: "vowed to reverse …".
COMMITMENTS = {"promise", "pledge", "vow", "threaten", "swear"}
# What a body publishes; "according to a statement from X" reports X.
DOCUMENT_NOUNS = {
    "statement",
    "statements",
    "report",
    "reports",
    "letter",
    "filing",
    "filings",
    "document",
    "documents",
    "memo",
    "note",
    "post",
    "release",
    "survey",
    "study",
    "analysis",
    "estimate",
    "estimates",
    "data",
    "figures",
    "poll",
    "transcript",
    "readout",
    "records",
    "complaint",
    "indictment",
    "ruling",
    "announcement",
    "slide",
    "slides",
    "video",
    "footage",
    "chart",
    "map",
    "graphic",
    "average",
    "averages",
    "forecast",
    "census",
    "tweet",
    "email",
    "emails",
    "website",
    "ad",
    "advertisement",
}
# What shows or finds a claim besides a document: "the poll found", "records show".
EVIDENCE_NOUNS = {
    "poll",
    "polls",
    "polling",
    "results",
    "numbers",
    "statistics",
    "research",
    "evidence",
    "survey",
    "surveys",
    "studies",
    "findings",
    "tally",
    "returns",
    "projections",
    "analyses",
    "investigation",
    "review",
    "audit",
    "exit",
}
NUMBER_WORDS = {
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "a",
    "half",
    "dozens",
    "hundreds",
    "thousands",
    "millions",
}
SUBORDINATORS = {"after", "before", "although", "though", "while", "whereas"}
PREPOSITIONS = {
    "in",
    "on",
    "at",
    "of",
    "about",
    "for",
    "with",
    "from",
    "by",
    "during",
    "after",
    "before",
    "to",
    "into",
    "over",
    "under",
    "through",
    "via",
    "per",
    "against",
}


@dataclass(frozen=True)
class Cue:
    start: int  # token range [start, end)
    end: int
    base: str
    sentence: int
    chars: tuple[int, int]
    # The phrase for multiword cues ("call on", "point out"), else the base.
    phrase: str = ""
    # What follows a verb that is not speech alone: "clause" (I think he has …) or
    # "object" (accused him of …); "" otherwise.
    frame: str = ""


@dataclass
class Found:
    quote: tuple[int, int]  # characters
    quote_type: str
    cue: Cue | None
    speaker: Mention | None
    score: float
    entity: str = ""


@dataclass
class Attribution:
    """The result: quotes with their cue, speaker mention and resolved speaker name."""

    found: list[Found] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # Every cue the lexicon and syntax found, used by a quote or not.
    cues: list[Cue] = field(default_factory=list)


def attribute(source: str, known_speakers: dict[str, str] | None = None) -> Attribution:
    return attribute_text(analyse(source), known_speakers)


def attribute_text(text: Text, known_speakers: dict[str, str] | None = None) -> Attribution:
    """`attribute` on a text already analysed (a model reads the same tokens)."""
    return _Attributor(text, known_speakers or {}).run()


class _Attributor:
    def __init__(self, text: Text, known: dict[str, str]) -> None:
        self.text = text
        self.known = known
        self.names = person_names(text)
        self.cues = find_cues(text)
        self.cue_at = {cue.start: cue for cue in self.cues}
        # Per sentence: its cues, and its outer segments (by where they open).
        self.sentence_cues: list[list[Cue]] = [[] for _ in text.sentences]
        for cue in self.cues:
            self.sentence_cues[cue.sentence].append(cue)
        self.sentence_segments: list[list[tuple[int, Segment]]] = [[] for _ in text.sentences]
        for index, segment in enumerate(text.segments):
            if not segment.inner:
                first = text.token_at_or_after(segment.start)
                if first < len(text.tokens):
                    self.sentence_segments[text.sentence_of[first]].append((index, segment))
        self.first_words = _first_words(text)
        # Capitalised words seen other than at a sentence's start (made when first needed).
        self.inside_sentences: set[str] | None = None
        self.result = Attribution()
        self.mention_at: dict[tuple[int, int], Mention] = {}
        self.genders: dict[str, str] = {}  # entity -> "m" / "f", from any of its mentions
        self.people: set[str] = set()  # entities a mention showed to be a person
        self.antecedents: list[Mention] = []
        self.attached: set[int] = set()
        self.last: Found | None = None
        self.last_trailing: tuple[int, Found] | None = None  # (sentence, found)
        self.labelled: set[int] = set()  # paragraphs that are a transcript's lines

    # --- driving --------------------------------------------------------------
    def run(self) -> Attribution:
        for sentence in range(len(self.text.sentences)):
            self._sentence(sentence)
        self.result.cues = self.cues
        return self.result

    def _sentence(self, sentence: int) -> None:
        s0, s1 = self.text.sentences[sentence]
        self._speaker_label(sentence)
        subject = subject_at(self.text, sentence)
        if subject is not None:
            found = mention(self.text, subject, self.names)
            if found.kind != "name" or self._proper(found):
                self._remember(self._mention(subject))
        segments = self.sentence_segments[sentence]
        cues = self.sentence_cues[sentence]
        used: set[Cue] = set()
        for index, segment in segments:
            if not self._signed(index, segment) and not self._title(sentence, segment):
                self._trailing(sentence, index, segment, cues, used)
        contents: list[tuple[int, int]] = []
        previous: Found | None = None
        for cue in cues:
            if cue in used:
                continue
            for found in self._frames(sentence, cue, segments, previous):
                contents.append(found.quote)
                self._add(found)
                previous = found
        for index, segment in segments:
            if index in self.attached or any(
                a <= segment.start and segment.end <= b for a, b in contents
            ):
                continue
            self._continuation(sentence, index, segment)

    # --- a quote followed by its cue: "…," she said ------------------------------
    def _trailing(self, sentence, index, segment, cues, used) -> None:
        text = self.text
        k = text.token_at_or_after(segment.end)
        if k >= len(text.tokens):
            return
        end_sentence = text.sentence_of[k - 1]  # the sentence of the closing mark
        s1 = text.sentences[end_sentence][1]
        if end_sentence != sentence:
            cues = self.sentence_cues[end_sentence]
        while k < s1 and text.tokens[k].text == ",":
            k += 1
        cue = next((c for c in cues if c.start >= k and c.start - k <= 12), None)
        if cue is None or k >= s1:
            return
        if cue.start == k:
            span = np_after(text, cue.end, sentence_end=s1)
        else:
            span = np_before(text, cue.start, sentence_start=k)
            if span is None or (span[0] != k and not self._apposition(k, span)):
                return
        quote, quote_type = (segment.start, segment.end), "direct"
        if cue.base in QUESTION_CUES:
            quote = self._last_question(segment) or quote
        else:
            before = self._clause_before(sentence, segment)
            if before is not None:
                quote, quote_type = (before, segment.end), "mixed"
        speaker = self._mention(span) if span else None
        found = Found(quote, quote_type, cue, speaker, 0.9 if speaker else 0.75)
        self._add(found)
        self.attached.add(index)
        used.add(cue)
        self.last_trailing = (sentence, found)

    # --- a transcript's line: "PENCE: Well, look, …" ----------------------------------------
    def _speaker_label(self, sentence: int) -> None:
        """A paragraph opening with a name in capitals and a colon is that speaker's line;
        the colon is the cue."""
        text, tokens = self.text, self.text.tokens
        s0, s1 = text.sentences[sentence]
        if s0 and text.paragraph_of[s0 - 1] == text.paragraph_of[s0]:
            return
        k = s0 + (tokens[s0].text in ('"', "“"))
        start = k
        if not any(t.text == ":" for t in tokens[k + 1 : min(k + 6, s1)]):
            return
        # "PENCE: …" in a transcript; "Pat Caddell: Voters Worried …" in a headline.
        headline = _headline(text, sentence)
        while k < s1 and k - start < (4 if headline else 3) and _label_word(tokens[k], headline):
            k += 1
        if k == start or k + 1 >= s1 or tokens[k].text != ":":
            return
        if " ".join(t.text for t in tokens[start:k]) in NOT_SPEAKER_LABELS:
            return
        paragraph = text.paragraph_of[s0]
        last = k + 1
        while last < len(tokens) and text.paragraph_of[last] == paragraph:
            last += 1
        while last > k + 1 and tokens[last - 1].text in ('"', "”"):
            last -= 1
        if last <= k + 1:
            return
        if headline and sum(t.is_word for t in tokens[k + 1 : last]) < 4:
            return  # "Live Updates: The Final Debate" names a page, not a claim
        cue = Cue(k, k + 1, "label", sentence, (tokens[k].start, tokens[k].end))
        quote = (tokens[k + 1].start, tokens[last - 1].end)
        self.labelled.add(paragraph)
        self._add(Found(quote, "direct", cue, self._mention((start, k)), 0.8))

    # --- a quote signed with a dash: "…” ― Carlos Raúl ------------------------------------
    def _signed(self, index: int, segment: Segment) -> bool:
        """A quote followed by a dash and a name that ends its paragraph is that
        person's (letters, vox pops, epigraphs); the dash is the cue."""
        text, tokens = self.text, self.text.tokens
        k = text.token_at_or_after(segment.end)
        if k + 1 >= len(tokens) or tokens[k].text not in SIGNATURE_DASHES:
            return False
        paragraph = text.paragraph_of[k]
        if text.paragraph_of[k - 1] != paragraph:
            return False
        j = k + 1
        while j < len(tokens) and text.paragraph_of[j] == paragraph and j - k <= 8:
            token = tokens[j]
            if not (token.capitalized or token.text in ("-", "'", "’") or _initial_dot(text, j)):
                break
            j += 1
        end = j
        while end > k + 1 and tokens[end - 1].text == ".":
            end -= 1
        rest = tokens[j] if j < len(tokens) and text.paragraph_of[j] == paragraph else None
        if end == k + 1 or (rest is not None and rest.text != "."):
            return False
        cue = Cue(k, k + 1, "sign", text.sentence_of[k], (tokens[k].start, tokens[k].end))
        speaker = self._mention((k + 1, end))
        self._add(Found((segment.start, segment.end), "direct", cue, speaker, 0.8))
        self.attached.add(index)
        return True

    def _title(self, sentence: int, segment: Segment) -> bool:
        """'In an interview on CBS's "Face the Nation," Ryan said': capitalised words
        quoted mid-sentence name a show, a book or a slogan."""
        text = self.text
        first = text.token_at_or_after(segment.start)
        if not any(t.is_word for t in text.tokens[text.sentences[sentence][0] : first]):
            return False
        words = [t for t in text.tokens[self._tokens(segment)] if t.is_word]
        long = [w for w in words if len(w.text) > 3]
        return bool(long) and len(words) <= 8 and all(w.capitalized for w in long)

    def _apposition(self, k: int, span: tuple[int, int]) -> bool:
        """'…," the union's president, Lee Carter, said': a description, then the name
        between commas, make the subject from token k."""
        text, tokens = self.text, self.text.tokens
        if span[0] - 1 <= k or tokens[span[0] - 1].text != ",":
            return False
        if span[1] >= len(tokens) or tokens[span[1]].text != ",":
            return False
        head = np_before(text, span[0] - 1, sentence_start=k)
        return head is not None and head[0] == k

    def _last_question(self, segment: Segment) -> tuple[int, int] | None:
        """'“A. B?” he asked': only the question is asked."""
        inside = self.text.text[segment.start : segment.end]
        match = re.search(r"[.!?…]\s+(?=[A-Z][^.!?]*\?\W*$)", inside)
        return (segment.start + match.end(), segment.end) if match else None

    def _clause_before(self, sentence: int, segment: Segment) -> int | None:
        """Where a clause that the quote completes starts in its sentence, if there is one."""
        text = self.text
        s0 = text.sentences[sentence][0]
        first = text.token_at_or_after(segment.start)
        words = [t for t in text.tokens[s0:first] if t.is_word and text.segment_of[t.index] == -1]
        if len(words) < 3 or text.tokens[first - 1].text == ":":
            return None
        if any(c.start < first for c in self.sentence_cues[sentence]):
            return None
        return words[0].start

    # --- a cue followed by what was said ----------------------------------------------
    def _frames(self, sentence, cue, segments, previous) -> list[Found]:
        text = self.text
        s0, s1 = text.sentences[sentence]
        cue_word = text.tokens[cue.start].lower
        if cue.base == "according":
            return self._according(sentence, cue)
        if cue.start and text.tokens[cue.start - 1].text == "," and cue_word.endswith("ing"):
            return self._participle_frame(sentence, cue, segments)
        relative = self._relative(cue, s0)
        speaker_span = self._passive_agent(cue, s1)
        if speaker_span is None and not self._inverted(cue, s1):
            speaker_span = np_before(text, cue.start, sentence_start=s0)
        postposed = None if relative else self._postposed(sentence, cue, speaker_span)
        if postposed is not None:
            return postposed
        speaker = relative or (self._mention(speaker_span) if speaker_span else None)
        if speaker is None and previous is not None and previous.cue and _coordinated(text, cue):
            speaker = previous.speaker
        if speaker is None and speaker_span is None:
            speaker = self._subject_of_verb_chain(sentence, cue)
        if cue_word == "saying" and speaker_span is not None and speaker_span[0] != s0:
            # "The campaign sent a fundraising email saying …": the sender says it.
            speaker = self._subject_of_verb_chain(sentence, cue, after_object=True) or speaker
        if (cue.base in CLAUSE_VERBS or cue.frame == "that") and not _source_like(speaker):
            return []  # "the outage showed …": only people, bodies and documents hold views
        start, after_complementiser = self._content_start(cue, s1)
        if cue.start and text.tokens[cue.start - 1].lower in ("who", "which"):
            comma = next((k for k in range(cue.end, s1) if text.tokens[k].text == ","), s1)
            s1 = comma
        found: list[Found] = []
        while start is not None and start < s1:
            end = self._content_end(start, s1)
            found += self._content(start, end, cue, speaker, segments, after_complementiser)
            start = self._next_content(end, s1)
            after_complementiser = True
        return found

    def _inverted(self, cue: Cue, s1: int) -> bool:
        """'…, said DeSantis, who …': after a comma, a cue followed by a name and a comma
        or the sentence's end has its subject after it."""
        text, tokens = self.text, self.text.tokens
        if cue.start == 0 or tokens[cue.start - 1].text != "," or cue.end >= s1:
            return False
        if not tokens[cue.end].capitalized:
            return False
        after = np_after(text, cue.end, sentence_end=s1)
        return after is not None and (after[1] >= s1 or tokens[after[1]].text in (",", "."))

    def _subject_of_verb_chain(
        self, sentence: int, cue: Cue, *, after_object: bool = False
    ) -> Mention | None:
        """'He stood with the leaders and urged …', 'Cruz seemed to blame …', 'He went on
        to say …': the cue shares the subject of the sentence's first verb."""
        text, tokens = self.text, self.text.tokens
        before = tokens[cue.start - 1].lower if cue.start else ""
        chained = before in ("and", "then", "but", "to", ",") or _coordinated(text, cue)
        if not chained and not after_object:
            return None
        subject = subject_at(text, sentence, after_opening=True)
        if subject is None or subject[1] >= cue.start:
            return None
        if any(k in self.cue_at for k in range(subject[1], cue.start)):
            return None  # another cue between: it has the subject
        found = self._mention(subject)
        return (
            found
            if _source_like(found)
            and found.kind != "description"
            or (found.kind == "description" and found.category in ("person", "org", "group"))
            else None
        )

    def _relative(self, cue: Cue, s0: int) -> Mention | None:
        """'Glenn Beck, who …, declared': the relative pronoun is the speaker's mention
        nearest the cue, standing for the name before it."""
        text, tokens = self.text, self.text.tokens
        k = cue.start - 1
        while k > s0 and tokens[k].lower in NP_SKIP and not tokens[k].capitalized:
            k -= 1
        if k <= s0 or tokens[k].lower != "who":
            return None
        comma = k - 1 if tokens[k - 1].text == "," else k
        before = np_before(text, comma, sentence_start=s0)
        if (found := self.mention_at.get((tokens[k].start, tokens[k].end))) is not None:
            return found
        antecedent = self._mention(before) if before else None
        found = Mention(tokens[k].start, tokens[k].end, tokens[k].text, "pronoun", "person")
        found.antecedent = antecedent
        found.entity = antecedent.entity if antecedent else ""
        self.result.mentions.append(found)
        self.mention_at[(found.start, found.end)] = found
        return found

    def _participle_frame(self, sentence: int, cue: Cue, segments) -> list[Found]:
        """', adding that …': said by whoever spoke earlier in the sentence, or else by
        the sentence's subject ('The minister defended the plan, saying …')."""
        last = self.last
        if last is not None and last.cue is not None and last.cue.sentence == sentence:
            speaker = last.speaker
        else:
            subject = subject_at(self.text, sentence, after_opening=True)
            if subject is None or subject[1] > cue.start:
                return []
            speaker = self._mention(subject)
        s1 = self.text.sentences[sentence][1]
        start, _ = self._content_start(cue, s1)
        if start is None:
            return []
        end = self._content_end(start, s1)
        return self._content(start, end, cue, speaker, segments, True)

    def _next_content(self, end: int, s1: int) -> int | None:
        """Another complement of the same cue: '… and that …' or '…: “…”'."""
        tokens = self.text.tokens
        if end + 1 < s1 and tokens[end].lower == "and" and tokens[end + 1].lower == "that":
            return end + 2
        if end + 1 < s1 and tokens[end].text == ":" and self.text.segment_of[end + 1] != -1:
            return end + 1
        return None

    def _according(self, sentence: int, cue: Cue) -> list[Found]:
        text = self.text
        s0, s1 = text.sentences[sentence]
        first_word = self._first_word(s0, s1)
        span = np_after(text, cue.end, sentence_end=s1, until_end=True)
        if span is None:
            return []
        speaker = self._mention(self._source_of_document(span))
        if cue.start == first_word:
            start = span[1] + 1 if span[1] < s1 and text.tokens[span[1]].text == "," else span[1]
            end = self._content_end(start, s1)
        else:
            start, end = first_word, cue.start
        quote = self._chars(start, end)
        if quote is None:
            return []
        return [Found(quote, self._type(quote, None), cue, speaker, 0.8)]

    def _source_of_document(self, span: tuple[int, int]) -> tuple[int, int]:
        """'according to a statement released by the White House': the White House."""
        tokens = self.text.tokens
        k = span[0]
        if tokens[k].lower in ("a", "an", "the", "new", "recent", "latest"):
            k += 1
        while k < span[1] and tokens[k].lower in ("new", "recent", "latest", "official"):
            k += 1
        if k >= span[1] or tokens[k].lower not in DOCUMENT_NOUNS:
            return span
        k += 1
        if k < span[1] and tokens[k].lower in ("released", "issued", "published", "posted"):
            k += 1
        if k + 1 < span[1] and tokens[k].lower in ("by", "from", "of", "in"):
            return k + 1, span[1]
        return span

    def _postposed(self, sentence, cue, speaker_span) -> list[Found] | None:
        """'…, she said.' / '…, a spokesperson said, and …': the content came first."""
        text = self.text
        s0, s1 = text.sentences[sentence]
        left = speaker_span[0] if speaker_span else cue.start
        if left <= s0 or text.tokens[left - 1].text != ",":
            return None
        after = self._skip_adverbial(cue.end, s1)
        if after < s1 and text.tokens[after].text not in (".", "!", "?", ","):
            if speaker_span is not None or np_after(text, after, sentence_end=s1) is None:
                return None
            speaker_span = np_after(text, after, sentence_end=s1)  # ", said the minister."
            after = self._skip_adverbial(speaker_span[1], s1)
        if after < s1 and text.tokens[after].text not in (".", "!", "?", ","):
            return None
        speaker = self._mention(speaker_span) if speaker_span else None
        first_word = self._first_word(s0, s1)
        found = []
        quote = self._chars(first_word, left - 1)
        if (
            quote
            and text.segment_of[left - 2] == -1
            and not self._introductory(first_word)
            and self._clause_like(first_word, left - 1)
        ):
            found.append(Found(quote, self._type(quote, None), cue, speaker, 0.7))
        if after < s1 and text.tokens[after].text == ",":
            start = after + 1
            if start < s1 and text.tokens[start].lower in ("and", "but"):
                start += 1
            if start < s1 and text.segment_of[start] != -1:
                # 'Asked about it, O'Neill said, “Not going to go into that.”'
                segments = self.sentence_segments[sentence]
                end = self._content_end(start, s1)
                return found + self._content(start, end, cue, speaker, segments, True)
            rest = self._chars(start, self._content_end(start, s1))
            # ", a setback that …" describes what was said; it is the writer's.
            # ", who was elected …" describes the speaker.
            appositive = start < s1 and text.tokens[start].lower in ("a", "an", "who", "whose")
            if rest and not appositive and self._clause_like(start, self._content_end(start, s1)):
                found.append(Found(rest, self._type(rest, None), cue, speaker, 0.65))
        return found

    def _introductory(self, k: int) -> bool:
        """'Asked to describe the device, …': a participle opening the sentence sets
        the scene; it is nobody's claim."""
        lower = self.text.tokens[k].lower
        return lower in FORM_TO_BASE and lower.endswith("ed")

    def _first_word(self, s0: int, s1: int) -> int:
        """The sentence's first word, after a dateline ("VIENNA, April 14 (Reuters) -")."""
        tokens = self.text.tokens
        first = next(i for i in range(s0, s1) if tokens[i].is_word)
        head = tokens[first].text
        if len(head) > 2 and head.isupper() and head.isalpha():
            for k in range(first + 1, min(first + 14, s1 - 1)):
                if tokens[k].text in ("-", "—", "–", "--") and tokens[k + 1].is_word:
                    return k + 1
        return first

    def _skip_adverbial(self, k: int, s1: int) -> int:
        """Past "on Monday", "in a statement", "late on Tuesday" after a closing cue."""
        tokens = self.text.tokens
        if k >= s1 or tokens[k].lower not in PREPOSITIONS | {"late", "early", "last", "this"}:
            return k
        j = k
        while (
            j < s1
            and j - k < 8
            and tokens[j].is_word
            and tokens[j].lower not in VERBISH
            and (tokens[j].lower not in COMPLEMENTISERS and self.text.segment_of[j] == -1)
        ):
            j += 1
        return j if j >= s1 or tokens[j].text in (".", "!", "?", ",") else k

    def _passive_agent(self, cue: Cue, s1: int) -> tuple[int, int] | None:
        tokens = self.text.tokens
        if cue.start == 0 or tokens[cue.start - 1].lower not in PASSIVE:
            return None
        if cue.end < s1 and tokens[cue.end].lower == "by":
            return np_after(self.text, cue.end + 1, sentence_end=s1)
        return None

    def _content_start(self, cue: Cue, s1: int) -> tuple[int | None, bool]:
        tokens, j = self.text.tokens, cue.end
        if cue.frame == "that":
            return j + 1, True
        if cue.frame:
            return j, cue.frame == "clause"
        if self._passive_agent(cue, s1):
            j = self._passive_agent(cue, s1)[1]
        if cue.base in TELLING and j < s1:
            j = self._skip_recipient(j, s1)
        for k in range(j, min(j + 12, s1)):
            token = tokens[k]
            if self.text.segment_of[k] != -1:
                # "informed Trump of the fact “…”": only a phrase stands before the quote.
                lead = tokens[j]
                if k == j or lead.text == "," or lead.lower in PREPOSITIONS:
                    return k, k > j
                break
            if token.lower in VERBISH or k in self.cue_at:
                break
            if token.lower == "that" and k > j and k + 1 < s1 and _verb_like(tokens[k + 1]):
                break  # "insisting the corner that led to …": a relative clause
            if token.lower == "that" or token.text == ":":
                return k + 1, True
            if token.lower in COMPLEMENTISERS - {"that"} and k == j:
                return k, True
        while j < s1 and tokens[j].text in (",", ":"):
            j += 1
        if self._quantity(j, s1):
            return j, False
        if j < s1 and tokens[j].lower in PREPOSITIONS - {"to"}:
            j = self._after_phrase(j, s1)
        if j < s1 and tokens[j].lower == "to" and cue.base in COMMITMENTS:
            return j, False  # "vowed to reverse job losses": a commitment
        if j >= s1 or tokens[j].lower in PREPOSITIONS or tokens[j].lower in ("not", "to"):
            return None, False  # "asked about …", "declined to …": no reported clause
        return j, False

    def _quantity(self, j: int, s1: int) -> bool:
        """'at least 12 people', 'about 200 homes': a number phrase, not a preposition's."""
        tokens = self.text.tokens
        if j + 1 >= s1:
            return False
        word, following = tokens[j].lower, tokens[j + 1].lower
        if word == "at" and following in ("least", "most"):
            return True
        return word in ("about", "around", "over", "under", "nearly", "almost") and (
            following[:1].isdigit() or following in NUMBER_WORDS
        )

    def _after_phrase(self, j: int, s1: int) -> int:
        """Past "on Saturday" / "in a statement" to the clause's subject, if one follows."""
        tokens = self.text.tokens
        k = j + 1
        if k < s1 and tokens[k].lower in WH_WORDS:
            return j  # "warned against what he called …": the object is a clause, not speech
        if k < s1 and tokens[k].lower in ("a", "an", "the", "his", "her", "its", "their"):
            k += 1
        k += 1  # the phrase's noun
        while k < s1 and k - j < 5 and tokens[k].is_word:
            if tokens[k].lower in SUBJECTS or tokens[k].lower in ("the", "a", "an"):
                return k if self._clause_like(k, min(s1, k + 8)) else j
            k += 1
        return j

    def _skip_recipient(self, j: int, s1: int) -> int:
        tokens = self.text.tokens
        if tokens[j].lower in OBJECT_PRONOUNS:
            after = tokens[j + 1] if j + 1 < s1 else None
            if (
                tokens[j].lower != "it"
                or after is None
                or after.text == ","
                or (after.lower in PREPOSITIONS)
            ):
                return j + 1
        k = j
        while (
            k < s1
            and k - j < 4
            and tokens[k].is_word
            and (tokens[k].capitalized or tokens[k].lower in ("the", "a", "an", "company", "board"))
        ):
            k += 1
        if k > j and k < s1 and (tokens[k].lower in ("that", "of") or tokens[k].text in (":",)):
            return k
        if k > j and k < s1 and tokens[k].lower in COMPLEMENTISERS:
            return k  # "asked Mook if …"
        if k > j and k < s1 and (tokens[k].lower in SUBJECTS or _contracted(tokens[k].lower)):
            return k  # "told The Huffington Post he's not planning …"
        return j

    def _content_end(self, start: int, s1: int) -> int:
        text, tokens = self.text, self.text.tokens
        k = start
        while k < s1:
            token = tokens[k]
            if text.segment_of[k] != -1:
                segment = text.segments[text.segment_of[k]]
                after = text.token_at_or_after(segment.end)
                if self._cue_follows(after, s1):
                    question = self._asked_question(segment, after, s1)
                    return text.token_at_or_after(question) if question else after
                k = after
                continue
            if token.text == ";":
                return k
            if token.text == ":" and k + 1 < s1 and text.segment_of[k + 1] != -1:
                return k
            if token.lower == "and" and k + 1 < s1 and tokens[k + 1].lower == "that":
                return k
            if token.text == "," and k + 1 < s1:
                following = tokens[k + 1].lower
                if self._cue_follows(k + 1, s1) or (
                    following in CLAUSE_BREAKS and self._clause_like(start, k)
                ):
                    return k
            if token.lower in ("and", "but") and self._new_predicate(k + 1, s1):
                return k
            if (
                token.lower in SUBORDINATORS
                and k > start
                and self._clause_like(start, k)
                and (self._clause_like(k + 1, s1))
            ):
                return k
            k += 1
        return s1

    def _new_predicate(self, k: int, s1: int) -> bool:
        """'… and called on', '… but did not say': the speaker's next act, not more content."""
        tokens = self.text.tokens
        while k < s1 and tokens[k].lower in ("also", "then", "later", "still"):
            k += 1
        if k >= s1:
            return False
        lower = tokens[k].lower
        if lower in ("did", "does") and k + 1 < s1 and tokens[k + 1].lower in ("not", "n't"):
            return True
        return k in self.cue_at or lower in SPEECH_VERBS or lower in ("declined", "refused")

    def _subordinate_clause(self, k: int, s1: int) -> bool:
        """'after a defeat left his side …' is a clause; 'after an outage that left …' is not."""
        words = [t for t in self.text.tokens[k:s1] if t.is_word]
        for index, word in enumerate(words[:10]):
            if word.lower in ("that", "which", "who"):
                return False
            if index and (word.lower in VERBISH or word.lower.endswith("ed")):
                return True
        return False

    def _asked_question(self, segment: Segment, after: int, s1: int) -> int | None:
        cue = next((self.cue_at[k] for k in range(after, after + 5) if k in self.cue_at), None)
        if cue is None or cue.base not in QUESTION_CUES:
            return None
        split = self._last_question(segment)
        return split[0] if split else None

    def _cue_follows(self, k: int, s1: int) -> bool:
        """A short subject and a cue start at k ("he said", "the minister added")."""
        for start in range(k, min(k + 5, s1)):
            if start in self.cue_at:
                span = np_before(self.text, start, sentence_start=k)
                return span is not None and span[0] == k or start == k
        return False

    def _content(self, start, end, cue, speaker, segments, after_complementiser) -> list[Found]:
        quote = self._chars(start, end)
        if quote is None:
            return []
        inside = [(i, s) for i, s in segments if quote[0] <= s.start and s.end <= quote[1]]
        if (
            inside
            and inside[0][1].start == quote[0]
            and len(inside) == 1
            and not self._clause_goes_on(inside[0][1], quote[1])
        ):
            # What follows a quote that opens the content is the writer's, not the speaker's.
            index, segment = inside[0]
            self.attached.add(index)
            direct = (segment.start, segment.end)
            return [Found(direct, "direct", cue, speaker, 0.85 if speaker else 0.7)]
        if cue.frame:
            valid = True
        elif (cue.phrase in DEMAND_CUES or cue.base in DEMAND_CUES) and not after_complementiser:
            valid = any(t.lower == "to" for t in self.text.tokens[start:end])
        else:
            first = self.text.tokens[start].lower
            # "announced the tour, and all dates sold out": the verb after ", and" is
            # the writer's next clause; what the cue governs needs a verb before it.
            head = end if after_complementiser else self._before_coordination(start, end)
            valid = first not in ("to", "not") and (bool(inside) or self._clause_like(start, head))
            if first == "to" and cue.base in COMMITMENTS:
                valid = end - start > 1
            if not valid and after_complementiser and end - start >= 3:
                # "suggested that she share …", "concedes that most of her peers love
                # …": after "that", a subject and a verb in any form.
                lead = self.text.tokens[start]
                valid = (
                    lead.lower in SUBJECTS
                    or lead.capitalized
                    or lead.lower in DETERMINERS
                    or end - start >= 5
                )
        if not valid:
            return []
        score = 0.75 if after_complementiser else 0.6
        return [
            Found(quote, self._type(quote, inside), cue, speaker, score if speaker else score - 0.1)
        ]

    def _clause_goes_on(self, segment: Segment, end: int) -> bool:
        """'said that "a bomb" had gone off': the quoted words are the clause's subject
        and its verb follows; '“…” in a statement' goes on with the writer's phrase."""
        text, tokens = self.text, self.text.tokens
        k = text.token_at_or_after(segment.end)
        last = text.token_at_or_after(end)
        words = [t for t in tokens[k:last] if t.is_word]
        if len(words) < 2 or tokens[k].text in (",", ";", ":", ".", "—", "-"):
            return False
        return words[0].lower not in PREPOSITIONS and self._clause_like(k - 1, last)

    def _before_coordination(self, start: int, end: int) -> int:
        tokens = self.text.tokens
        for k in range(start, end - 1):
            if tokens[k].text == "," and tokens[k + 1].lower in ("and", "but"):
                return k
        return end

    def _clause_like(self, start: int, end: int) -> bool:
        tokens = self.text.tokens
        words = [t for t in tokens[start:end] if t.is_word]
        if len(words) < 2:
            return False
        return any(
            w.lower in VERBISH
            or (w.lower.endswith("ed") and i > 0)
            or _contracted(w.lower)
            or (i > 0 and _present(w, tokens[w.index + 1] if w.index + 1 < len(tokens) else None))
            or (i > 0 and words[i - 1].lower in BEFORE_VERBS and not w.capitalized)
            for i, w in enumerate(words)
        )

    def _type(self, quote: tuple[int, int], inside: list | None = None) -> str:
        # Quotes and segments start and end at tokens: the segments the quote's tokens
        # lie in are the (outer) segments it overlaps, and an inner one lies in those.
        text = self.text
        first, last = text.token_at_or_after(quote[0]), text.token_at_or_after(quote[1])
        overlapping = {text.segment_of[k] for k in range(first, last)} - {-1}
        if any((text.segments[i].start, text.segments[i].end) == quote for i in overlapping):
            return "direct"  # 'Asked about it, he said, "I have nothing to hide."'
        return "mixed" if overlapping else "indirect"

    # --- quotes with no cue of their own -----------------------------------------------
    def _continuation(self, sentence: int, index: int, segment: Segment) -> None:
        text = self.text
        if text.paragraph_of[text.token_at_or_after(segment.start)] in self.labelled:
            return
        last = self.last
        utterance = self._utterance(sentence, segment)
        introduced = self._introduced_by_colon(sentence) if utterance else None
        if introduced is not None:
            cue, speaker = introduced
            found = Found((segment.start, segment.end), "direct", cue, speaker, 0.8)
            self._add(found)
            self.attached.add(index)
            return
        if last is None:
            return
        if not utterance:
            self._fragment(sentence, index, segment)
            return
        paragraph = text.paragraph_of[text.token_at_or_after(segment.start)]
        last_paragraph = text.paragraph_of[text.token_at_or_after(last.quote[0])]
        gap = paragraph - last_paragraph
        if gap > 2:
            return
        cue, speaker = None, None
        if self.last_trailing and self.last_trailing[0] in (sentence, sentence - 1):
            trailing = self.last_trailing[1]
            # '"A," she said. "B."': one quote split around its cue.
            if trailing.cue and last_paragraph == paragraph:
                cue, speaker = trailing.cue, trailing.speaker
        score = 0.6 if gap <= 1 else 0.45
        found = Found((segment.start, segment.end), "direct", cue, speaker, score, last.entity)
        self._add(found)
        self.attached.add(index)

    def _fragment(self, sentence: int, index: int, segment: Segment) -> None:
        """Words quoted inside the writer's sentence are its subject's when that is a
        person or body ("Reid has been pounding Trump as a “con artist”"); a title
        ("“Saturday Night Live”") or a lone word is nobody's quote."""
        text = self.text
        words = [t for t in text.tokens[self._tokens(segment)] if t.is_word]
        long = [w for w in words if len(w.text) > 3]
        if len(words) < 2 or (long and all(w.capitalized for w in long)):
            return
        subject = subject_at(text, sentence)
        if subject is None or subject[1] > text.token_at_or_after(segment.start):
            return
        speaker = self._mention(subject)
        if speaker.kind == "description" or not _source_like(speaker):
            return
        if speaker.kind == "name" and speaker.text.isupper():
            return  # a dateline ("WASHINGTON"), not a name of anyone
        self._add(Found((segment.start, segment.end), "direct", None, speaker, 0.4))
        self.attached.add(index)

    def _tokens(self, segment: Segment) -> slice:
        text = self.text
        return slice(text.token_at_or_after(segment.start), text.token_at_or_after(segment.end))

    def _utterance(self, sentence: int, segment: Segment) -> bool:
        """Quoted words that stand as someone's utterance: they open their sentence (or
        follow a colon), not a term the writer quotes mid-sentence ("the “undercard”")."""
        text = self.text
        if self.last_trailing and self.last_trailing[0] == sentence:
            return True  # "'A,' he said, 'b.'": the quote goes on after its cue
        s0 = text.sentences[sentence][0]
        first = text.token_at_or_after(segment.start)
        before = [t for t in text.tokens[s0:first] if t.is_word or t.text == ":"]
        return not before or before[-1].text == ":"

    def _introduced_by_colon(self, sentence: int) -> tuple[Cue, Mention | None] | None:
        """'In a letter, she wrote:' closing the previous sentence introduces this quote."""
        if sentence == 0:
            return None
        p0, p1 = self.text.sentences[sentence - 1]
        tokens = self.text.tokens
        if tokens[p1 - 1].text != ":":
            return None
        cue = next((c for c in self.sentence_cues[sentence - 1] if c.end == p1 - 1), None)
        if cue is None:
            return None
        span = np_before(self.text, cue.start, sentence_start=p0)
        return cue, self._mention(span) if span else None

    # --- bookkeeping ---------------------------------------------------------------------
    def _chars(self, start: int, end: int) -> tuple[int, int] | None:
        tokens = self.text.tokens
        while (
            start < end
            and tokens[start].text in (",", ":", ";", "—", "-")
            or (start < end and tokens[start].lower == "that")
        ):
            start += 1
        while (
            end > start
            and tokens[end - 1].text in (",", ".", ";", ":", "—", "-", "!")
            and (self.text.segment_of[end - 1] == -1)
        ):
            end -= 1
        if start >= end:
            return None
        return tokens[start].start, tokens[end - 1].end

    def _mention(self, span: tuple[int, int]) -> Mention:
        found = mention(self.text, span, self.names)
        existing = self.mention_at.get((found.start, found.end))
        if existing is not None:
            return existing
        if found.kind == "name" and found.category == "org" and found.entity in self.people:
            found.category = "person"  # "Okafor" after "Ms. Okafor"
        if found.kind == "pronoun":
            found.antecedent = self._antecedent(found)
            found.entity = found.antecedent.entity if found.antecedent else ""
        elif found.kind == "description" and found.text.lower().startswith("the "):
            found.entity = self._definite(found) or found.entity
        found.entity = self.known.get(" ".join(found.entity.split()).casefold(), found.entity)
        self.result.mentions.append(found)
        self.mention_at[(found.start, found.end)] = found
        return found

    def _antecedent(self, pronoun: Mention) -> Mention | None:
        """The nearest mention before that a pronoun can stand for: same kind (person,
        group, body) and, for "he" and "she", not known to be of the other gender."""
        wanted = PRONOUN_GENDER.get(pronoun.text.lower(), "")
        for candidate in reversed(self.antecedents):
            if candidate.start >= pronoun.start:
                continue
            if not compatible(pronoun.text, candidate.category):
                continue
            if wanted and self._gender(candidate) not in (wanted, ""):
                continue
            return candidate
        return None

    def _gender(self, found: Mention) -> str:
        return found.gender or self.genders.get(found.entity, "")

    def _proper(self, found: Mention) -> bool:
        """A name that is really a name: several words, a known surname, or capitalised
        elsewhere than at a sentence start ("Zoomly", not "Streets")."""
        words = found.text.split()
        if len(words) > 1 or words[-1] in self.names:
            return True
        if self.inside_sentences is None:
            self.inside_sentences = {
                t.text
                for t in self.text.tokens
                if t.capitalized and t.index not in self.first_words
            }
        return words[-1] in self.inside_sentences

    def _definite(self, description: Mention) -> str | None:
        """'The study' is the study named before; 'the company' the company named before."""
        if len(description.entity.split()) > 1:
            return None
        for candidate in reversed(self.antecedents):
            if candidate.start >= description.start:
                continue
            if candidate.kind == "description" and candidate.head == description.head:
                return candidate.entity
        if description.category == "org":
            for candidate in reversed(self.antecedents):
                if (
                    candidate.start < description.start
                    and candidate.kind == "name"
                    and (candidate.category == "org")
                ):
                    return candidate.entity
        return None

    def _remember(self, found: Mention) -> None:
        if found.kind != "pronoun" and found.entity:
            self.antecedents.append(found)
            if found.gender:
                self.genders.setdefault(found.entity, found.gender)
            if found.category == "person":
                self.people.add(found.entity)

    def _add(self, found: Found) -> None:
        if found.speaker is not None:
            found.entity = found.speaker.entity
            self._remember(found.speaker)
        elif self.last is not None and not found.entity:
            found.entity = self.last.entity if found.cue is None else ""
        self.result.found.append(found)
        self.last = found


SIGNATURE_DASHES = {"―", "—", "–", "--", "-"}
# Capitals before a colon that label a paragraph without naming a speaker.
NOT_SPEAKER_LABELS = {
    "UPDATE",
    "NOTE",
    "EDITOR'S NOTE",
    "EDITOR’S NOTE",
    "WATCH",
    "READ",
    "MORE",
    "BREAKING",
    "CORRECTION",
    "ABSTRACT",
    "FULL TEXT",
    "PHOTOS",
    "VIDEO",
    "RELATED",
}


def _label_word(token: Token, headline: bool = False) -> bool:
    """A word of a speaker's label: "PENCE", "SEN. WARREN", "O'NEILL"; in a headline,
    a capitalised word ("Pat Caddell")."""
    letters = token.text.replace(".", "").replace("'", "").replace("’", "").replace("-", "")
    if token.text == ".":
        return True
    if not letters.isalpha():
        return False
    return token.text.isupper() and len(letters) > 1 or headline and token.capitalized


def _initial_dot(text: Text, k: int) -> bool:
    """The full stop of an initial ("Jorge P. Falcon")."""
    tokens = text.tokens
    return tokens[k].text == "." and len(tokens[k - 1].text) == 1 and tokens[k - 1].capitalized


# Words a verb follows: "they support …", "never shut …".
BEFORE_VERBS = {"i", "we", "they", "he", "she", "you", "never"}


def _source_like(speaker: Mention | None) -> bool:
    """A person, a group, a body or a document: what can think, find or show a claim."""
    if speaker is None:
        return False
    if speaker.kind == "pronoun":
        return speaker.text.lower() not in ("it", "this", "that")
    if speaker.kind == "name" or speaker.category:
        return True
    head = speaker.head or speaker.text.split()[-1].lower()
    return head in DOCUMENT_NOUNS or head in EVIDENCE_NOUNS


def _coordinated(text: Text, cue: Cue) -> bool:
    """'… and said', '… and has called for': the cue is the subject's next verb."""
    k = cue.start - 1
    while k > 0 and text.tokens[k].lower in COORDINATED_HELPERS:
        k -= 1
    return k >= 0 and text.tokens[k].lower in ("and", "but", "then")


COORDINATED_HELPERS = {"has", "have", "had", "also", "later", "again", "often", "now"}


def _first_words(text: Text) -> set[int]:
    tokens = text.tokens
    return {next((i for i in range(a, b) if tokens[i].is_word), a) for a, b in text.sentences}


def find_cues(text: Text) -> list[Cue]:
    first_words = _first_words(text)
    cues: list[Cue] = []
    tokens = text.tokens
    before_that = {t.index - 1 for t in tokens if t.lower == "that"}
    for token in tokens:
        if cues and token.index < cues[-1].end:
            continue
        if token.lower in FORM_TO_BASE or token.lower == "according":
            cue = _cue_at(text, token.index, first_words)
        elif token.index in before_that:
            cue = _that_verb(text, token.index, first_words)
        else:
            continue
        if cue is not None:
            cues.append(cue)
    return cues


# Words before "that" that are not verbs of saying ("so that", "now that", "given that").
NOT_THAT_VERBS = {"so", "now", "given", "except", "such", "provided", "assuming", "seeing"}


def _that_verb(text: Text, i: int, first_words: set[int]) -> Cue | None:
    """A verb the lexicon lacks that takes a that-clause after a subject: "Cruz bragged
    that he …", "officials lament that …" (its subject is checked where it is used)."""
    tokens = text.tokens
    token = tokens[i]
    if i + 2 >= len(tokens) or tokens[i + 1].lower != "that" or i in first_words:
        return None
    lower = token.lower
    if not token.is_word or token.capitalized or text.segment_of[i] != -1:
        return None
    if lower in NOT_THAT_VERBS or lower in VERBISH or not lower.endswith(("ed", "s")):
        return None
    previous = tokens[i - 1]
    if previous.lower in POSSESSIVE_BEFORE or previous.lower in PREPOSITIONS:
        return None
    if not lower.endswith("ed") and not (
        previous.lower in ("he", "she", "it") or (previous.capitalized and previous.is_word)
    ):
        return None  # "analysts that …" is a noun; "Cruz insists that …" a verb
    if not _clause_follows(text, i + 2, ""):
        return None
    return Cue(i, i + 1, lower, text.sentence_of[i], (token.start, token.end), lower, "that")


def _cue_at(text: Text, i: int, first_words: set[int]) -> Cue | None:
    tokens = text.tokens
    token = tokens[i]
    if text.segment_of[i] != -1 or not token.is_word:
        return None
    sentence = text.sentence_of[i]
    if token.lower == "according" and i + 1 < len(tokens) and tokens[i + 1].lower == "to":
        return Cue(i, i + 2, "according", sentence, (token.start, tokens[i + 1].end))
    base = FORM_TO_BASE.get(token.lower)
    if base is None or i in first_words:
        return None
    if token.capitalized and not _headline(text, sentence):
        return None  # "the United States “must …”": part of a name, not a verb
    progressive = i > 0 and tokens[i - 1].lower in BE_FORMS
    if (
        token.lower.endswith("ing")
        and token.lower != "saying"
        and not progressive
        and not _participle(text, i)
    ):
        return None
    previous = tokens[i - 1].lower if i else ""
    # "his report", "its stated aim", "the said agreement" — but "Some said", "Both said":
    # a quantifier standing alone is the subject of a past tense.
    noun_form = token.lower in (base, base + "s", base + "es")
    standalone = previous in STANDALONE_QUANTIFIERS and not noun_form
    if not standalone and (previous in POSSESSIVE_BEFORE or previous.endswith(("'s", "’s"))):
        return None
    negated = previous in ("not", "never", "n't") or (
        i > 1 and tokens[i - 2].lower in ("not", "never")
    )
    if negated and base not in CLAUSE_VERBS:
        return None  # "did not say whether …" reports nothing; "does not think …" a view
    if token.lower == "asked" and _asked_of_speaker(text, i, previous):
        return None  # "Holt, asked whether …, said": somebody else asked
    end = _phrase_end(tokens, i, base)
    following = tokens[end] if end < len(tokens) else None
    followed_by_quote = following is not None and text.segment_of[end] != -1
    complement = following is not None and (
        following.lower in COMPLEMENTISERS or following.text == ":" or followed_by_quote
    )
    if not complement and base in ("continue", "agree", "hope", "fear", "think", "believe"):
        complement = _after_quote(text, i)  # '“…,” she continued, “…”'
    if not complement and following is not None and following.lower in TIME_WORDS:
        # "found last week that …", "said on Monday that …"
        k = end
        while k < min(end + 5, len(tokens)) and tokens[k].lower in TIME_WORDS:
            k += 1
        complement = k < len(tokens) and tokens[k].lower == "that"
    frame = "" if complement or end > i + 1 else _frame(text, end, base)
    if end == i + 1 and token.lower not in SPEECH_VERBS and not complement and not frame:
        return None
    if end == i + 1 and base in NOUN_LIKE and token.lower in (base, base + "s"):
        # "his report", "that claim", "his new report" (not "that Republicans think").
        nearby = [previous] + (
            [tokens[i - 2].lower] if i > 1 and not tokens[i - 1].capitalized else []
        )
        if not (complement or frame) or any(word in POSSESSIVE_BEFORE for word in nearby):
            return None
    phrase = " ".join([base, *(t.lower for t in tokens[i + 1 : end])])
    return Cue(i, end, base, sentence, (token.start, tokens[end - 1].end), phrase, frame)


def _verb_like(token: Token) -> bool:
    lower = token.lower
    return not token.capitalized and (lower in VERBISH or lower.endswith("ed"))


def _asked_of_speaker(text: Text, i: int, previous: str) -> bool:
    """'Holt, asked whether …, said', 'when asked', 'was asked': the question is put to
    the subject — unless its asker follows ('was asked by host John Dickerson whether')
    or no other cue of the sentence answers it ('Marcus, an editor, asked Mook if …')."""
    tokens = text.tokens
    if previous in ("when", "if", "once"):
        return True
    if previous in ("being", "was", "were"):
        return not (i + 1 < len(tokens) and tokens[i + 1].lower == "by")
    if previous == ",":
        end = text.sentences[text.sentence_of[i]][1]
        return any(tokens[k].lower in SPEECH_VERBS for k in range(i + 1, end))
    return False


def _frame(text: Text, k: int, base: str) -> str:
    """How the content of a verb that is not speech alone follows it at token k."""
    if base in CLAUSE_VERBS and _clause_follows(text, k, base):
        return "clause"
    if base in CLAUSE_VERBS and _closing_cue(text, k):
        return "after"
    if base in OBJECT_ACTS and _charge_follows(text, k, OBJECT_ACTS[base]):
        return "object"
    return ""


def _closing_cue(text: Text, k: int) -> bool:
    """', records show.' / ', he thinks,': the verb and its short subject close a clause."""
    tokens = text.tokens
    if k >= len(tokens) or tokens[k].text not in (".", ",", ";"):
        return False
    for j in range(k - 2, max(k - 7, 0), -1):
        if tokens[j].text == ",":
            return True
        if not tokens[j].is_word or text.segment_of[j] != -1:
            return False
    return False


def _sentence_end(text: Text, k: int) -> int:
    return text.sentences[text.sentence_of[k]][1]


def _plain_words(text: Text, k: int, limit: int) -> list[Token]:
    """The words from token k on, up to punctuation, a quote or the sentence's end."""
    end = min(_sentence_end(text, k), k + limit)
    words = []
    for token in text.tokens[k:end]:
        if not token.is_word or text.segment_of[token.index] != -1:
            break
        words.append(token)
    return words


def _finite(token: Token, following: Token | None = None) -> bool:
    lower = token.lower
    return (
        lower in VERBISH
        or (len(lower) > 4 and lower.endswith("ed"))
        or lower in SPEECH_VERBS
        or _contracted(lower)
        or _present(token, following)
    )


CONTRACTED = re.compile(r"(?:he|she|it|that|there|what|who|i|you|we|they)'(?:s|re|ve|ll|d|m)$")
# What follows a verb in the present ("favors the wealthy", "needs more"), not a noun.
OBJECT_STARTS = {
    "the",
    "a",
    "an",
    "his",
    "her",
    "their",
    "its",
    "our",
    "my",
    "this",
    "these",
    "those",
    "to",
    "more",
    "no",
    "some",
    "it",
    "him",
    "them",
    "us",
    "me",
    "that",
    "not",
}


def _contracted(lower: str) -> bool:
    """ "he's", "they'll", "don't": a subject and its helper verb, or a negated one."""
    return lower.endswith("n't") or CONTRACTED.match(lower) is not None


def _present(token: Token, following: Token | None) -> bool:
    """A verb in the present: an -s form with its object or complement after it."""
    lower = token.lower
    if len(lower) < 4 or not lower.endswith("s") or lower.endswith(("ss", "us", "is", "'s")):
        return False
    if following is None or token.capitalized:
        return False
    return following.lower in OBJECT_STARTS or following.text in ('"', "“", "''")


def _clause_follows(text: Text, k: int, base: str) -> bool:
    """A clause without "that": a subject and its verb ("I think [he has …]", "records
    show [the jet was insured …]"); after evidence verbs, a subject and an -ing form
    ("the poll showed [Clinton leading …]")."""
    if k >= len(text.tokens) or text.sentence_of[k] != text.sentence_of[k - 1]:
        return False
    words = _plain_words(text, k, 10)
    if len(words) < 2:
        return False
    first = words[0].lower
    if first in PREPOSITIONS or first in ("to", "not", "so", "about", "out", "up"):
        return False
    if first in SUBJECTS - {"it", "there"} or first.split("'")[0] in SUBJECTS and "'" in first:
        return words[1].lower not in PREPOSITIONS or "'" in first
    for index, word in enumerate(words[1:], start=1):
        if word.lower in COMPLEMENTISERS or word.lower in ("who", "which"):
            return False
        if word.lower in CLAUSE_BREAKS or word.lower in SUBORDINATORS:
            return False
        previous = words[index - 1].lower
        if previous in DETERMINERS or previous in POSSESSIVE_BEFORE:
            continue
        following = words[index + 1] if index + 1 < len(words) else None
        if _finite(word, following) and word.lower not in ("said",):
            return True
        if base in ("show", "find", "see") and word.lower.endswith("ing") and index <= 4:
            return True
    return False


def _charge_follows(text: Text, k: int, introducers: tuple[str, ...]) -> bool:
    """'accused him of …', 'blamed Congress for …', 'called her “third-rate”', 'called
    the plan a disaster': the person or thing, then what they are charged with."""
    tokens = text.tokens
    end = min(_sentence_end(text, k), k + 8)
    for j in range(k + 1, end):
        token = tokens[j]
        if text.segment_of[j] != -1:
            return not introducers and text.segments[text.segment_of[j]].start == token.start
        if not token.is_word:
            return False
        if token.lower in introducers:
            return True
        if not introducers and token.lower in ("a", "an") and j > k:
            return True
        if _finite(token) or (token.lower in PREPOSITIONS and token.lower not in ("of",)):
            return False
    return False


def _after_quote(text: Text, i: int) -> bool:
    """The verb follows a quote and at most a short subject: '“…,” she continued'."""
    tokens = text.tokens
    for k in range(i - 1, max(i - 7, -1), -1):
        if text.segment_of[k] != -1:
            return tokens[k].end == text.segments[text.segment_of[k]].end
        if not (tokens[k].is_word or tokens[k].text in (",", ".")):
            return False
    return False


def _headline(text: Text, sentence: int) -> bool:
    """A sentence in title case ("Trump Says He Will Win"), where verbs are capitalised."""
    s0, s1 = text.sentences[sentence]
    words = [t for t in text.tokens[s0:s1] if t.is_word and len(t.text) > 3]
    return len(words) >= 2 and sum(t.capitalized for t in words) >= 0.8 * len(words)


def _participle(text: Text, i: int) -> bool:
    """', adding that …', ', warning: “…”': the sentence's speaker goes on speaking."""
    tokens = text.tokens
    if i == 0 or tokens[i - 1].text != "," or i + 1 >= len(tokens):
        return False
    following = tokens[i + 1]
    if following.lower == "that" or following.text == ":" or text.segment_of[i + 1] != -1:
        return True
    # ', claiming the quarantine violated her rights': a clause with its subject.
    if not (following.capitalized or following.lower in SUBJECTS or following.lower in DETERMINERS):
        return False
    end = text.sentences[text.sentence_of[i]][1]
    return any(
        t.lower in VERBISH or (t.lower.endswith("ed") and not t.capitalized)
        for t in tokens[i + 2 : min(i + 10, end)]
    )


def _phrase_end(tokens, i: int, base: str) -> int:
    best = i + 1
    for phrase in PHRASES:
        if phrase[0] != base or len(phrase) == 1:
            continue
        rest = phrase[1:]
        words = [t.lower for t in tokens[i + 1 : i + 1 + len(rest)]]
        if tuple(words) == rest:
            best = max(best, i + 1 + len(rest))
    return best
