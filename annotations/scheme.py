"""The label scheme as data: labels, relations and per-quote choices.

A scheme renders the Label Studio labeling config and validates every
annotation before it is stored (Label Studio itself accepts any label).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from xml.sax.saxutils import quoteattr

from annotations.errors import DomainError
from annotations.records import AnnotationRecord, AttributionRecord

QUOTE, SPEAKER, CUE = "Quote", "Speaker", "Cue"
SAID_BY, CUE_OF, COREF, CONTINUES = "said_by", "cue", "coref", "continues"
# A relation end that must carry the same label as the other end.
SAME = "*"


@dataclass(frozen=True)
class LabelDef:
    name: str
    hotkey: str
    colour: str
    description: str


@dataclass(frozen=True)
class RelationDef:
    name: str
    source: str
    target: str
    description: str

    def joins(self, source_label: str, target_label: str) -> bool:
        if (self.source, self.target) == (SAME, SAME):
            return source_label == target_label
        return (self.source, self.target) == (source_label, target_label)


@dataclass(frozen=True)
class ChoiceDef:
    value: str
    hotkey: str
    description: str


@dataclass(frozen=True)
class ChoiceSet:
    """One per-quote question (Label Studio perRegion choices on Quote regions)."""

    name: str
    title: str
    values: tuple[ChoiceDef, ...]

    def allowed(self) -> tuple[str, ...]:
        return self._allowed

    @cached_property
    def _allowed(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.values)


@dataclass(frozen=True)
class Scheme:
    name: str
    labels: tuple[LabelDef, ...]
    relations: tuple[RelationDef, ...]
    choices: tuple[ChoiceSet, ...]
    # Names of the Label Studio controls the config declares.
    span_control: str = "span"
    text_object: str = "text"
    speaker_name_control: str = "speaker_name"

    # These are asked for every region of every result read or written: each answer is
    # worked out once per scheme.
    def label_names(self) -> tuple[str, ...]:
        return self._label_names

    def relation(self, name: str) -> RelationDef | None:
        return self._relations.get(name)

    def choice_set(self, name: str) -> ChoiceSet | None:
        return self._choice_sets.get(name)

    def relation_between(self, source_label: str, target_label: str) -> RelationDef | None:
        """The first relation type that may join these labels, to read an unlabelled arrow."""
        if (source_label, target_label) in self._between:
            return self._between[source_label, target_label]
        return next((r for r in self.relations if r.joins(source_label, target_label)), None)

    @cached_property
    def _label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    @cached_property
    def _relations(self) -> dict[str, RelationDef]:
        return {r.name: r for r in reversed(self.relations)}  # the first of a name wins

    @cached_property
    def _choice_sets(self) -> dict[str, ChoiceSet]:
        return {c.name: c for c in reversed(self.choices)}

    @cached_property
    def _between(self) -> dict[tuple[str, str], RelationDef | None]:
        names = self._label_names
        return {
            (source, target): next((r for r in self.relations if r.joins(source, target)), None)
            for source in names
            for target in names
        }


QUOTES_V1 = Scheme(
    name="quotes-v1",
    labels=(
        LabelDef(
            QUOTE,
            "1",
            "#f5b841",
            "The reported content, direct (in quote marks) or indirect (paraphrased). "
            "Quote marks belong to the span.",
        ),
        LabelDef(
            SPEAKER,
            "2",
            "#3b82f6",
            "The mention of the source in the text: a name, a role, an organisation or a pronoun.",
        ),
        LabelDef(
            CUE,
            "3",
            "#a855f7",
            'The reporting expression: "said", "told reporters", "according to".',
        ),
    ),
    relations=(
        RelationDef(SAID_BY, QUOTE, SPEAKER, "The quote is attributed to this speaker mention."),
        RelationDef(CUE_OF, QUOTE, CUE, "The quote is introduced by this cue."),
        RelationDef(
            COREF, SPEAKER, SPEAKER, "A pronoun or short mention refers to this named mention."
        ),
        # An unlabelled Speaker -> Speaker arrow is coref (listed first); an unlabelled
        # Quote -> Quote or Cue -> Cue arrow is this.
        RelationDef(
            CONTINUES,
            SAME,
            SAME,
            "This piece continues the same span after an interruption: a quote split "
            "around its speaker and cue is one quote in pieces.",
        ),
    ),
    choices=(
        ChoiceSet(
            "quote_type",
            "Quote type",
            (
                ChoiceDef("direct", "d", "Verbatim, inside quote marks."),
                ChoiceDef("indirect", "i", "Paraphrased reported speech, no quote marks."),
                ChoiceDef("mixed", "m", "Reported speech with quoted fragments."),
            ),
        ),
        ChoiceSet(
            "stance",
            "Stance of the speaker",
            (
                ChoiceDef("support", "s", "The speaker favours what the quote is about."),
                ChoiceDef("oppose", "o", "The speaker is against what the quote is about."),
                ChoiceDef("neutral", "n", "No stance, or reporting only."),
            ),
        ),
        ChoiceSet(
            "claim_type",
            "Claim type",
            (
                ChoiceDef("factual", "f", "States something as a fact."),
                ChoiceDef("opinion", "p", "A judgement or evaluation."),
                ChoiceDef("prediction", "r", "About what will happen."),
                ChoiceDef("commitment", "t", "The speaker promises to act."),
                ChoiceDef("demand", "e", "Asks or requires someone to act."),
                ChoiceDef("question", "q", "A question."),
                ChoiceDef("other", "x", "None of the above."),
            ),
        ),
    ),
)

SCHEMES: dict[str, Scheme] = {QUOTES_V1.name: QUOTES_V1}
DEFAULT_SCHEME = QUOTES_V1.name


class UnknownScheme(DomainError, LookupError):
    pass


def get_scheme(name: str) -> Scheme:
    try:
        return SCHEMES[name]
    except KeyError:
        known = ", ".join(sorted(SCHEMES))
        raise UnknownScheme(f"unknown label scheme {name!r} (known: {known})") from None


# The labeling screen, laid out for long articles: lines far enough apart that arrows run
# between them, a blank line between paragraphs (each line a block, the break between them
# a line of its own), a readable measure, speakers in bold, thin arrows, and the selected
# quote's questions docked at the foot of the text.
SCREEN_STYLE = " ".join(
    line.strip()
    for line in """
    .lsf-richtext__container { font-size: 16px; line-height: 2.7; max-width: 50em; }
    .lsf-richtext__line { display: block; }
    .htx-highlight[data-label$=":Speaker"] { font-weight: 600; }
    svg.relations-overlay path { stroke-width: 1.25px; }
    .quote-card { position: sticky; bottom: 0; z-index: 300; background: #fff;
      border-top: 2px solid #f5b841; box-shadow: 0 -4px 12px rgba(0,0,0,.08);
      padding: 2px 12px 6px; }
    .quote-row { display: flex; align-items: center; gap: 8px; min-height: 30px; }
    .quote-row h4 { margin: 0 !important; min-width: 11em; font-size: 13px; }
    .quote-row .lsf-choices { margin: 0; }
    .quote-row .lsf-choice, .quote-row .lsf-choice__item { margin: 0 !important;
      padding: 0 !important; }
    .quote-row .lsf-choice { line-height: 24px; }
    .quote-row .ant-checkbox-wrapper { padding: 2px 4px; line-height: 24px; }
    .quote-row textarea, .quote-row input { padding: 2px 6px; }
    """.strip().splitlines()
)


def render_label_config(scheme: Scheme) -> str:
    """The Label Studio XML labeling config for this scheme."""
    attr = quoteattr
    lines = ["<View>", f"  <Style>{SCREEN_STYLE}</Style>", '  <Header value="$title" size="4"/>']
    lines.append(f"  <Labels name={attr(scheme.span_control)} toName={attr(scheme.text_object)}>")
    for label in scheme.labels:
        lines.append(
            f"    <Label value={attr(label.name)} hotkey={attr(label.hotkey)}"
            f" background={attr(label.colour)} hint={attr(label.description)}/>"
        )
    lines.append("  </Labels>")
    lines.append("  <Relations>")
    for relation in scheme.relations:
        lines.append(f"    <Relation value={attr(relation.name)}/>")
    lines.append("  </Relations>")
    lines.append(
        f'  <Text name={attr(scheme.text_object)} value={attr("$text")} granularity="word"/>'
    )
    # The selected quote's questions, docked at the foot of the screen: one row each.
    lines.append(
        f'  <View className="quote-card" visibleWhen="region-selected"'
        f" whenLabelValue={attr(QUOTE)}>"
    )
    for choice_set in scheme.choices:
        lines.append('    <View className="quote-row">')
        lines.append(f'      <Header value={attr(choice_set.title)} size="6"/>')
        lines.append(
            f"      <Choices name={attr(choice_set.name)} toName={attr(scheme.text_object)}"
            ' perRegion="true" choice="single" showInline="true">'
        )
        for choice in choice_set.values:
            lines.append(
                f"        <Choice value={attr(choice.value)} hotkey={attr(choice.hotkey)}"
                f" hint={attr(choice.description)}/>"
            )
        lines.append("      </Choices>")
        lines.append("    </View>")
    lines.append('    <View className="quote-row">')
    lines.append('      <Header value="Speaker (canonical name)" size="6"/>')
    lines.append(
        f"      <TextArea name={attr(scheme.speaker_name_control)}"
        f" toName={attr(scheme.text_object)}"
        ' perRegion="true" editable="true" maxSubmissions="1" rows="1"'
        ' placeholder="Full name, e.g. Yury Ushakov"/>'
    )
    lines.append("    </View>")
    lines.append("  </View>")
    lines.append("</View>")
    return "\n".join(lines)


def validate_annotation(scheme: Scheme, text: str, annotation: AnnotationRecord) -> list[str]:
    """Every way this annotation breaks the scheme, as precise messages (empty if valid)."""
    problems: list[str] = []
    spans = {}
    for index, span in enumerate(annotation.spans):
        where = f"span {span.id!r}" if span.id else f"span #{index + 1}"
        if not span.id:
            problems.append(f"{where}: has no id")
        elif span.id in spans:
            problems.append(f"{where}: the id is used by more than one span")
        spans[span.id] = span
        problems.extend(f"{where}: {message}" for message in _span_problems(scheme, text, span))
    quoted: set[str] = set()
    for index, attribution in enumerate(annotation.attributions):
        where = f"attribution #{index + 1} (quote {attribution.quote!r})"
        if attribution.quote in quoted:
            problems.append(f"{where}: the quote has more than one attribution")
        quoted.add(attribution.quote)
        problems.extend(
            f"{where}: {message}" for message in _attribution_problems(scheme, spans, attribution)
        )
    antecedents: dict[str, str] = {}
    for index, relation in enumerate(annotation.relations):
        where = (
            f"relation #{index + 1} ({relation.type} {relation.source!r} -> {relation.target!r})"
        )
        problems.extend(
            f"{where}: {message}" for message in _relation_problems(scheme, spans, relation)
        )
        if relation.type == COREF:
            if antecedents.get(relation.source, relation.target) != relation.target:
                problems.append(f"{where}: the mention already refers to another antecedent")
            antecedents[relation.source] = relation.target
    return problems


def complete_attributions(annotation: AnnotationRecord) -> AnnotationRecord:
    """Every Quote span with exactly one attribution: an empty one where none was given."""
    attributed = {attribution.quote for attribution in annotation.attributions}
    missing = [
        AttributionRecord(quote=span.id)
        for span in annotation.spans
        if span.label == QUOTE and span.id not in attributed
    ]
    if not missing:
        return annotation
    return replace(annotation, attributions=[*annotation.attributions, *missing])


def valid_part(scheme: Scheme, text: str, annotation: AnnotationRecord) -> AnnotationRecord:
    """What of an annotation satisfies the scheme: bad spans and whatever refers to them go.

    For results that must be stored although they break the scheme (they come
    from Label Studio, which does not check them): the raw result is kept, the
    problems are reported by validate_annotation, and this part becomes rows.
    """
    spans, seen = [], set()
    for span in annotation.spans:
        if span.id and span.id not in seen and not _span_problems(scheme, text, span):
            spans.append(span)
            seen.add(span.id)
    labels = {span.id: span.label for span in spans}
    attributions, quoted = [], set()
    for attribution in annotation.attributions:
        if labels.get(attribution.quote) != QUOTE or attribution.quote in quoted:
            continue
        quoted.add(attribution.quote)
        values = {
            choice.name: getattr(attribution, choice.name)
            if getattr(attribution, choice.name) in ("", *choice.allowed())
            else ""
            for choice in scheme.choices
        }
        attributions.append(
            replace(
                attribution,
                speaker=attribution.speaker if labels.get(attribution.speaker) == SPEAKER else None,
                cue=attribution.cue if labels.get(attribution.cue) == CUE else None,
                **values,
            )
        )
    relations, antecedents = [], set()
    for relation in annotation.relations:
        ends = (labels.get(relation.source), labels.get(relation.target))
        usable = relation.type == COREF and ends == (SPEAKER, SPEAKER)
        if usable and relation.source != relation.target and relation.source not in antecedents:
            relations.append(relation)
            antecedents.add(relation.source)
    return replace(annotation, spans=spans, attributions=attributions, relations=relations)


def _span_problems(scheme: Scheme, text: str, span) -> list[str]:
    problems = []
    if span.label not in scheme.label_names():
        known = ", ".join(scheme.label_names())
        problems.append(f"unknown label {span.label!r} (the scheme has {known})")
    if not (isinstance(span.start, int) and isinstance(span.end, int)):
        return [*problems, "start and end must be integers"]
    if not 0 <= span.start < span.end <= len(text):
        problems.append(
            f"offsets {span.start}..{span.end} are out of range "
            f"(need 0 <= start < end <= {len(text)}, the document's length)"
        )
        return problems
    actual = text[span.start : span.end]
    if span.text != actual:
        problems.append(
            f"text {_clip(span.text)!r} does not match the document text at "
            f"{span.start}..{span.end}, which is {_clip(actual)!r}"
        )
    if span.fragments:
        problems.extend(_fragment_problems(span))
    return problems


def _fragment_problems(span) -> list[str]:
    pieces = list(span.fragments)
    if len(pieces) < 2:
        return ["a discontinuous span needs at least two fragments"]
    if pieces[0][0] != span.start or pieces[-1][1] != span.end:
        return [f"fragments {pieces} must begin at start {span.start} and finish at end {span.end}"]
    for (s1, e1), (s2, e2) in zip(pieces, pieces[1:], strict=False):
        if not (s1 < e1 < s2 < e2):
            return [f"fragments {pieces} must be ordered, non-empty and separated by gaps"]
    return []


def _attribution_problems(scheme: Scheme, spans: dict, attribution) -> list[str]:
    problems = []
    for role, span_id, label in (
        ("quote", attribution.quote, QUOTE),
        ("speaker", attribution.speaker, SPEAKER),
        ("cue", attribution.cue, CUE),
    ):
        if span_id is None and role != "quote":
            continue
        span = spans.get(span_id)
        if span is None:
            problems.append(f"its {role} {span_id!r} is not a span of this annotation")
        elif span.label != label:
            problems.append(f"its {role} {span_id!r} is a {span.label} span, not a {label} span")
    for choice_set in scheme.choices:
        value = getattr(attribution, choice_set.name, "")
        if value and value not in choice_set.allowed():
            allowed = ", ".join(choice_set.allowed())
            problems.append(f"unknown {choice_set.name} {value!r} (allowed: {allowed})")
    return problems


def _relation_problems(scheme: Scheme, spans: dict, relation) -> list[str]:
    definition = scheme.relation(relation.type)
    if definition is None:
        known = ", ".join(r.name for r in scheme.relations)
        return [f"unknown relation type {relation.type!r} (the scheme has {known})"]
    if definition.name in (SAID_BY, CUE_OF):
        return [f"{definition.name} is expressed by the quote's attribution, not as a relation"]
    if definition.name == CONTINUES:
        return ["continues is expressed by the span's fragments, not as a relation"]
    problems = []
    for end, span_id, label in (
        ("source", relation.source, definition.source),
        ("target", relation.target, definition.target),
    ):
        span = spans.get(span_id)
        if span is None:
            problems.append(f"dangling relation: its {end} {span_id!r} is not a span")
        elif span.label != label:
            problems.append(f"its {end} {span_id!r} is a {span.label} span, not a {label} span")
    if relation.source == relation.target:
        problems.append("a span cannot relate to itself")
    return problems


def _clip(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
