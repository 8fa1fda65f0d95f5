"""Words the attributor knows: reporting verbs in every inflection, pronouns, titles."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Reporting verbs: base form -> irregular forms (the regular ones are generated).
_VERBS = {
    "say": ("said", "says", "saying"),
    "tell": ("told", "tells", "telling"),
    "write": ("wrote", "written", "writes", "writing"),
    "add": (),
    "assert": (),
    "emphasize": (),
    "emphasise": (),
    "report": (),
    "warn": (),
    "claim": (),
    "insist": (),
    "argue": (),
    "note": (),
    "explain": (),
    "state": (),
    "announce": (),
    "declare": (),
    "reply": (),
    "respond": (),
    "ask": (),
    "admit": (),
    "acknowledge": (),
    "confirm": (),
    "deny": (),
    "suggest": (),
    "stress": (),
    "urge": (),
    "predict": (),
    "complain": (),
    "recall": (),
    "inform": (),
    "conclude": (),
    "caution": (),
    "estimate": (),
    "promise": (),
    "pledge": (),
    "vow": (),
    "demand": (),
    "question": (),
    "reiterate": (),
    "remark": (),
    "observe": (),
    "tweet": (),
    "post": (),
    "testify": (),
    "concede": (),
    "contend": (),
    "maintain": (),
    "allege": (),
    "comment": (),
    "shout": (),
    "yell": (),
    "scream": (),
    "exclaim": (),
    "chant": (),
    "wonder": (),
    "recount": (),
    "lament": (),
    "muse": (),
    "interject": (),
    "plead": (),
    "scoff": (),
    "boast": (),
    "joke": (),
    "quip": (),
    "counter": (),
    "retort": (),
    "agree": (),
    "mention": (),
    "reveal": (),
    "indicate": (),
    "propose": (),
    "recommend": (),
    "signal": (),
    "find": ("found", "finds"),
    "describe": (),
    "call": (),
    "continue": (),
    "highlight": (),
    "underline": (),
    "point": (),
    "underscore": (),
    "threaten": (),
    "forecast": (),
    "expect": (),
    "believe": (),
    "think": ("thought", "thinks"),
    "feel": ("felt", "feels"),
    "hope": (),
    "fear": (),
    # Thinking and evidence: cues when a clause follows ("I think he has …", "records
    # show the jet was insured …", "the poll showed Clinton leading …").
    "know": ("knew", "known", "knows", "knowing"),
    "worry": (),
    "doubt": (),
    "figure": (),
    "assume": (),
    "suspect": (),
    "realize": (),
    "realise": (),
    "recognize": (),
    "understand": ("understood", "understands", "understanding"),
    "guess": (),
    "imagine": (),
    "show": ("showed", "shown", "shows", "showing"),
    "prove": (),
    "demonstrate": (),
    "see": ("saw", "seen", "sees", "seeing"),
    # Speech acts on someone: "accused him of …", "blamed X for …", "called her “…”".
    "accuse": (),
    "blame": (),
    "criticize": (),
    "criticise": (),
    "praise": (),
    "fault": (),
    "credit": (),
    "condemn": (),
    "label": (),
    "brand": (),
    "dismiss": (),
    "characterize": (),
    "portray": (),
}

# How a verb's content follows it when it is not speech alone.
CLAUSE_VERBS = {
    "think",
    "believe",
    "know",
    "feel",
    "expect",
    "hope",
    "fear",
    "worry",
    "doubt",
    "figure",
    "assume",
    "suspect",
    "realize",
    "realise",
    "recognize",
    "understand",
    "guess",
    "imagine",
    "find",
    "show",
    "prove",
    "demonstrate",
    "suggest",
    "indicate",
    "reveal",
    "confirm",
    "see",
    "agree",
}
# Speech acts on someone, with the word that introduces what they are charged with.
OBJECT_ACTS = {
    "accuse": ("of",),
    "blame": ("for",),
    "criticize": ("for",),
    "criticise": ("for",),
    "praise": ("for",),
    "fault": ("for",),
    "credit": ("with", "for"),
    "condemn": ("for",),
    "label": ("as",),
    "brand": ("as",),
    "dismiss": ("as",),
    "characterize": ("as",),
    "portray": ("as",),
    "describe": ("as",),
    "call": (),
}

# Verbs whose bare use ("he called", "they found") is rarely speech; they count only in
# the phrases below.
_PHRASE_ONLY = {
    "point",
    "call",
    "describe",
    "find",
    "continue",
    "expect",
    "believe",
    "think",
    "feel",
    "hope",
    "fear",
    "post",
    "agree",
    "signal",
    *CLAUSE_VERBS,
    *OBJECT_ACTS,
}

# Multiword cues, matched on lower-cased tokens (the first may be any inflection).
PHRASES = (
    ("according", "to"),
    ("point", "out"),
    ("call", "on"),
    ("call", "for"),
    ("describe", "as"),
    ("tell", "reporters"),
    ("tell", "journalists"),
    ("tell", "analysts"),
    ("tell", "residents"),
    ("tell", "investors"),
    ("tell", "lawmakers"),
    ("tell", "the", "press"),
    ("tell", "local", "radio"),
    ("tell", "radio"),
    ("tell", "television"),
    ("tell", "parliament"),
    ("tell", "a", "news", "conference"),
    ("tell", "a", "press", "conference"),
    ("find",),
    ("call",),
)


# Verbs that double their last consonant (admit -> admitted).
_DOUBLING = {"admit", "commit", "quip", "regret", "plan", "stop"}


def _regular(base: str) -> tuple[str, ...]:
    if base in _DOUBLING:
        return (base + "s", base + base[-1] + "ed", base + base[-1] + "ing")
    if base.endswith("e"):
        return (base + "s", base + "d", base[:-1] + "ing")
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return (base[:-1] + "ies", base[:-1] + "ied", base + "ing")
    if base.endswith(("ss", "sh", "ch", "x")):
        return (base + "es", base + "ed", base + "ing")
    return (base + "s", base + "ed", base + "ing")


def _forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for base, irregular in _VERBS.items():
        for form in (base, *(irregular or _regular(base))):
            forms[form] = base
    return forms


FORM_TO_BASE = _forms()
SPEECH_VERBS = {form for form, base in FORM_TO_BASE.items() if base not in _PHRASE_ONLY}

# A cue standing for a demand: its complement is "someone to do something".
DEMAND_CUES = {"urge", "demand", "call on", "call for", "ask"}
# Roles that make a description a person ("a spokesperson", "one driver").
PERSON_ROLES = {
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "driver",
    "author",
    "official",
    "minister",
    "analyst",
    "executive",
    "officer",
    "chair",
    "chairman",
    "chairwoman",
    "captain",
    "coach",
    "member",
    "aide",
    "president",
    "judge",
    "planner",
    "economist",
    "resident",
    "lawyer",
    "source",
    "witness",
    "worker",
    "teacher",
    "doctor",
    "nurse",
    "director",
    "manager",
    "player",
    "student",
    "expert",
    "researcher",
    "scientist",
    "professor",
    "leader",
    "head",
    "secretary",
    "senator",
    "governor",
    "mayor",
    "ambassador",
    "envoy",
    "adviser",
    "advisor",
    "founder",
    "owner",
    "farmer",
    "mother",
    "father",
    "woman",
    "man",
    "person",
    "voter",
    "candidate",
    "prosecutor",
    "attorney",
    "detective",
    "soldier",
    "commander",
    "journalist",
    "reporter",
    "editor",
    "negotiator",
    "diplomat",
    "activist",
    "campaigner",
}
# Cues that introduce a question.
QUESTION_CUES = {"ask", "question", "wonder"}

PRONOUNS = {
    "he": "person",
    "she": "person",
    "him": "person",
    "her": "person",
    "i": "person",
    "they": "group",
    "we": "group",
    "it": "org",
}
# Quantifiers that stand alone as a subject: "Some said", "Many warned", "Both insisted".
STANDALONE_QUANTIFIERS = _words("some many several both few most all others one two three")
SUBJECT_PRONOUNS = {"he", "she", "they", "it", "we", "i"}

# Titles and roles that precede a name and are not part of it.
TITLES = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "president",
    "vice",
    "prime",
    "minister",
    "secretary",
    "senator",
    "sen",
    "rep",
    "representative",
    "governor",
    "gov",
    "mayor",
    "chancellor",
    "general",
    "gen",
    "colonel",
    "col",
    "captain",
    "capt",
    "coach",
    "judge",
    "justice",
    "chief",
    "executive",
    "officer",
    "chairman",
    "chairwoman",
    "chair",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "aide",
    "adviser",
    "advisor",
    "ambassador",
    "envoy",
    "director",
    "commissioner",
    "king",
    "queen",
    "prince",
    "pope",
    "father",
    "rev",
    "member",
    "leader",
    "head",
    "founder",
    "author",
    "planner",
    "analyst",
    "economist",
    "lawyer",
    "attorney",
    "councillor",
    "councilor",
    "council",
    "retired",
    "former",
    "acting",
    "deputy",
    "lead",
    "senior",
    "junior",
    "presidential",
    "financial",
    "environment",
    "foreign",
    "defence",
    "defense",
    "interior",
    "health",
    "finance",
    "club",
    "group",
    "party",
    "union",
    "residents",
    "residents'",
    "opposition",
    "agency",
    "urban",
    "u.s.",
    "us",
    "uk",
    "eu",
    "russian",
    "american",
    "british",
    "french",
    "german",
    "chinese",
    "ukrainian",
    "city",
    "state",
    "national",
    "federal",
    "white",
    "house",
}

# Heads of descriptions that name a body rather than a person.
ORGANISATION_WORDS = {
    "company",
    "firm",
    "group",
    "agency",
    "authority",
    "ministry",
    "department",
    "government",
    "union",
    "council",
    "committee",
    "commission",
    "court",
    "police",
    "side",
    "study",
    "report",
    "survey",
    "university",
    "institute",
    "office",
    "board",
    "bank",
    "securities",
    "party",
    "team",
    "club",
    "hospital",
    "inquiry",
    "regulator",
    "administration",
    "kremlin",
    "parliament",
    "congress",
    "senate",
    "association",
    "organisation",
    "organization",
    "foundation",
    "corporation",
    "inc",
    "ltd",
    "plc",
    "newspaper",
    "statement",
    "campaign",
    "network",
    "service",
    "services",
    "foods",
    "airlines",
    "press",
    "media",
    "army",
}

# Words that end a noun phrase when scanning for a speaker.
NP_STOP = {
    "that",
    "which",
    "who",
    "whom",
    "whose",
    "and",
    "but",
    "or",
    "nor",
    "when",
    "while",
    "as",
    "because",
    "though",
    "although",
    "whereas",
    "unless",
    "until",
    "if",
    "to",
    "in",
    "on",
    "with",
    "from",
    "after",
    "before",
    "since",
    "during",
    "was",
    "is",
    "are",
    "were",
    "be",
    "been",
    "being",
    "had",
    "has",
    "have",
    "having",
    "will",
    "would",
    "could",
    "can",
    "should",
    "may",
    "might",
    "must",
    "shall",
    "do",
    "does",
    "did",
    "not",
    "also",
    "then",
    "there",
    "here",
    "this",
    "these",
    "those",
    "what",
    "where",
    "why",
    "how",
    "than",
    "so",
    "yet",
    "into",
    "about",
    "over",
    "under",
    "against",
    "between",
    "through",
    "without",
    "within",
    "upon",
    "once",
    "still",
    "just",
    "only",
    "even",
    "now",
    "later",
    "earlier",
    "today",
    "yesterday",
    "however",
    "meanwhile",
    "instead",
    "said",
    "says",
    "told",
    "added",
    "asked",
    "speaking",
    "mentioned",
    "declined",
}
# Words that may stand inside a speaker's noun phrase although lower-case.
NP_CONNECTORS = {"of", "at", "for", "by", "from", "the", "a", "an"}
# Words skipped between a speaker and its cue ("Trump himself told", "she later said").
NP_SKIP = {
    "himself",
    "herself",
    "themselves",
    "itself",
    "also",
    "later",
    "earlier",
    "then",
    "again",
    "further",
    "had",
    "has",
    "have",
    "would",
    "will",
    "once",
    "previously",
    "recently",
    "publicly",
    "privately",
    "repeatedly",
    "quickly",
    "simply",
    "flatly",
    "angrily",
    # Helper verbs and adverbs between a subject and its verb ("I don't think", "he
    # would never say", "they have long believed").
    "do",
    "does",
    "did",
    "don't",
    "doesn't",
    "didn't",
    "not",
    "never",
    "can",
    "could",
    "should",
    "might",
    "may",
    "must",
    "really",
    "probably",
    "certainly",
    "clearly",
    "still",
    "always",
    "just",
    "actually",
    "truly",
    "genuinely",
    "strongly",
    "personally",
    "apparently",
    "firmly",
    "already",
    "now",
    "even",
    "often",
    "first",
    "long",
    "cannot",
    "both",
    "reportedly",
}

# The start of a reported clause.
COMPLEMENTISERS = {"that", "whether", "if", "how", "why", "what", "when", "where", "who"}
# After a reported clause, these (after a comma) start something else.
CLAUSE_BREAKS = {
    "when",
    "while",
    "after",
    "before",
    "although",
    "though",
    "since",
    "as",
    "but",
    "whereas",
    "unless",
    "until",
}


# Tokens that make a stretch of words look like a clause (it has a verb).
VERBISH = {
    "is",
    "was",
    "are",
    "were",
    "be",
    "been",
    "being",
    "am",
    "has",
    "had",
    "have",
    "will",
    "would",
    "could",
    "can",
    "should",
    "may",
    "might",
    "must",
    "shall",
    "did",
    "does",
    "do",
    "need",
    "needs",
    "won't",
    "wouldn't",
    "can't",
    "couldn't",
    "isn't",
    "wasn't",
    "don't",
    "doesn't",
    "didn't",
    "hasn't",
    "haven't",
    "hadn't",
    "aren't",
    "weren't",
    "expects",
    "plans",
    "intends",
    "wants",
    "held",
    "made",
    "took",
    "gave",
    "went",
    "came",
    "knew",
    "left",
    "lost",
    "won",
    "got",
    "saw",
    "ran",
    "paid",
    "kept",
    "felt",
    "meant",
    "sent",
    "spent",
    "stood",
    "brought",
    "bought",
    "built",
    "began",
    "rose",
    "fell",
    "grew",
}
# Irregular past tenses (the regular ones end in -ed), for where a subject stops and
# whether words make a clause. Those that are also common nouns (set, cut, shot) are left out.
VERBISH |= _words(
    """spoke met led fought caught taught sought thought chose drove flew threw broke woke
    wore tore hid shook struck stuck sang sank swam drank ate fled fed dealt lent bent
    slept swept wept crept heard laid became overcame forgot forgave withdrew understood
    undertook oversaw foresaw sped spun slid stole rode rang arose froze hung knelt
    overtook shrank sprang swung sold"""
)
MODALS_OF_FUTURE = {
    "will",
    "would",
    "could",
    "may",
    "might",
    "shall",
    "going",
    "expects",
    "expect",
    "plans",
    "plan",
    "intends",
    "intend",
    "won't",
    "'ll",
}
FIRST_PERSON = {"i", "we", "our", "us", "my", "me"}
COMMITMENT_VERBS = {
    "promise",
    "pledge",
    "vow",
    "commit",
    "guarantee",
    "publish",
    "cooperate",
    "continue",
    "spend",
    "build",
    "deliver",
    "provide",
    "invest",
}

ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sen",
    "rep",
    "gov",
    "gen",
    "col",
    "lt",
    "capt",
    "rev",
    "sgt",
    "atty",
    "st",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "corp",
    "vs",
    "etc",
    "no",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "e.g",
    "i.e",
}


# What tells "he" from "she": words in a mention (titles, roles) and given names.
# Names used for both (Alex, Jordan, Kim, Jean, Andrea …) are in neither list.
PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
MALE_WORDS = _words(
    """mr sir lord king prince duke earl baron sheikh emir spokesman chairman congressman
    councilman businessman alderman assemblyman countryman policeman fireman cameraman
    father son husband brother uncle nephew grandfather grandson boyfriend man boy
    actor widower monk pope cardinal archbishop bishop"""
)
FEMALE_WORDS = _words(
    """mrs ms miss madam dame lady queen princess duchess countess baroness spokeswoman
    chairwoman congresswoman councilwoman businesswoman alderwoman assemblywoman
    countrywoman policewoman firewoman camerawoman mother daughter wife sister aunt niece
    grandmother granddaughter girlfriend woman girl actress widow nun"""
)
MALE_NAMES = _words(
    """aaron abdul abdullah adam adrian ahmed ahmad ajay akira alan albert alejandro alexander
    alexei alfred ali alistair amir andrew andrei andrzej angus anthony antonio anton arthur
    ashok barack ben benjamin bernard bernie bill bob boris brad brandon brian bruce carl
    carlos charles chuck clarence colin craig dan daniel darren dave david dennis dmitry
    dominic donald doug douglas duncan edward edwin elon emmanuel enrique eric ernesto
    evan fernando francisco frank franz fred frederick friedrich gabriel gareth gary gavin
    geoffrey george gerald gerhard giorgio giuseppe gordon graham greg gregory guillermo
    gustavo hamid hans harold harry hassan hector helmut henry hiroshi howard hugh hugo
    ian igor ibrahim isaac ivan jack jacob jaime jake james jared jason javier jeff jeffrey
    jeremy jerome jim jimmy joe joel john johnny jonathan jorge jose joseph juan julian
    justin karl keir keith ken kenneth kevin khalid klaus kurt larry lars lee-jae leo leon
    lloyd louis luca lucas luis luiz marco marcus mario mark martin matt matthew maurice
    max michael miguel mike mikhail mitch mohammed mohammad muhammad narendra nathan neil
    nicholas nick nicolas nigel noah olaf oliver omar oscar owen pablo patrick paul pedro
    peter philip pierre rafael rahul raj rajesh ralph ramon raul ray raymond recep richard
    rick rishi rob robert rodrigo roger ron ronald roy rudy ruslan ryan salman sam samuel
    sanjay scott sean sebastian sergei sergey shinzo simon stefan stephen steve steven
    stuart sunil ted terry thomas tim timothy todd tom tony travis trevor valentin victor
    vikram vincent vladimir volodymyr walter wayne william xavier yasser yuri yury zach"""
)
FEMALE_NAMES = _words(
    """abigail ada adriana agnes aisha alexandra alice alicia alison amanda amelia amy ana
    anastasia angela angelina anita ann anna anne annette antonia barbara beatriz betty
    beth brenda bridget brigitte camila carla carmen carol caroline catherine cecilia
    charlotte chloe christina christine claire claudia cristina cynthia daniela deborah
    debbie denise diana diane dolores donna dorothy elena elisabeth elizabeth ella ellen
    emily emma erin esther eva evelyn fatima fiona frances francesca gabriela giorgia
    gloria grace gretchen hannah heather helen helena hillary ingrid irene isabel isabella
    jacinda jane janet janice jennifer jessica jill joan joanna josephine joyce judith judy
    julia julie justine kamala karen karin kate katherine kathleen kathryn katie kelly
    kristen kristin laura lauren leila linda lisa liz lucia lucy lydia margaret margarita
    maria marie marina marine marisa martha mary megan melania melanie melissa mia michelle
    mirjana monica nadia nancy natalia natalie nicole nina nora olena olga olivia
    pamela patricia paula pauline priya rachel rebecca rita rosa rose ruth sabine sally
    samantha sandra sara sarah sharon sheila shirley silvia sofia sonia sophia sophie
    stephanie susan suzanne svetlana sylvia tamara tanya teresa theresa tina ulrike ursula
    valentina valerie vanessa vera veronica victoria virginia wendy yulia yuliya zoe"""
)

# Days and the words of a time phrase: never a speaker ("…, Friday declared"), and
# allowed between a verb and its "that" ("found last week that").
DAYS = _words(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight tomorrow"
)
TIME_WORDS = DAYS | _words(
    """last this next week month year on earlier recently ago again also publicly
    privately repeatedly late early night morning afternoon evening"""
)
