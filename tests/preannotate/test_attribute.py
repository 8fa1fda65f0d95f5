"""Every rule of the attributor, on sentences written for these tests."""

import pytest

from annotations.preannotate import claim_hint, preannotate
from annotations.preannotate.attribute import attribute


def found(text: str, known: dict | None = None) -> list[tuple]:
    record = preannotate(text, known_speakers=known)
    spans = record.span_by_id()
    rows = []
    for a in record.attributions:
        speaker, cue = spans.get(a.speaker), spans.get(a.cue)
        rows.append(
            (
                spans[a.quote].text,
                speaker.text if speaker else None,
                cue.text if cue else None,
                a.speaker_name,
                a.quote_type,
            )
        )
    return rows


# --- direct quotes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ('"The bridge will reopen in May," said Mayor Lena Ortiz.',
         ('"The bridge will reopen in May,"', "Mayor Lena Ortiz", "said", "Lena Ortiz", "direct")),
        ("“We are ready,” the coach told reporters.",
         ("“We are ready,”", "the coach", "told reporters", "coach", "direct")),
        ('"Nobody saw it coming," says Priya Nair, who runs the shelter.',
         ('"Nobody saw it coming,"', "Priya Nair", "says", "Priya Nair", "direct")),
        ("Senator Hal Brook warned: “This bill will fail.”",
         ("“This bill will fail.”", "Senator Hal Brook", "warned", "Hal Brook", "direct")),
        ("The ministry said in a statement that “all flights are suspended.”",
         ("“all flights are suspended.”", "The ministry", "said", "ministry", "direct")),
    ],
)  # fmt: skip
def test_direct_quotes_with_their_cue_before_or_after(text, row):
    assert found(text) == [row]


@pytest.mark.parametrize(
    ("text", "second"),
    [
        ('"We tried," said Omar Haddad, the team\'s captain, "but we ran out of time."',
         '"but we ran out of time."'),
        # Resumed after the cue's sentence ends: still one quote (as PolNeAR marks it).
        ('"We tried," said Omar Haddad, the team\'s captain. "We just ran out of time."',
         '"We just ran out of time."'),
    ],
)  # fmt: skip
def test_a_quote_resumed_after_its_cue_is_one_quote_in_two_pieces(text, second):
    record = preannotate(text)
    [attribution] = record.attributions
    spans = record.span_by_id()
    quote = spans[attribution.quote]
    first = '"We tried,"'
    assert [text[s:e] for s, e in quote.fragments] == [first, second]
    assert quote.text == text and quote.text == text[quote.start : quote.end]
    assert (spans[attribution.speaker].text, spans[attribution.cue].text) == ("Omar Haddad", "said")
    assert attribution.quote_type == "direct"


def test_quotes_in_separate_paragraphs_stay_two_quotes_of_one_speaker():
    text = '"We tried," said Omar Haddad, the team\'s captain.\n"We just ran out of time."'
    assert found(text) == [
        ('"We tried,"', "Omar Haddad", "said", "Omar Haddad", "direct"),
        ('"We just ran out of time."', None, None, "Omar Haddad", "direct"),
    ]


def test_a_question_followed_by_asked_is_the_question_only():
    text = "Kim Lee said: “Prices rose again. Who pays for that?” she asked."
    rows = found(text)
    assert ("Who pays for that?”", "she", "asked", "Kim Lee", "direct") in rows


def test_a_paragraph_continuing_a_quote_keeps_the_speaker():
    text = (
        "“The river is rising,” said engineer Tom Ash.\n"
        "Crews worked all night.\n"
        "“We expect the peak tomorrow.”\n"
    )
    rows = found(text)
    assert rows[-1] == ("“We expect the peak tomorrow.”", None, None, "Tom Ash", "direct")


# --- indirect and mixed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("Finance Minister Ana Ruiz said that the deficit would shrink next year.",
         ("the deficit would shrink next year", "Finance Minister Ana Ruiz", "said", "Ana Ruiz",
          "indirect")),
        ("The union argued the offer was too low.",
         ("the offer was too low", "The union", "argued", "union", "indirect")),
        ("Dr. Sam Yoo, the lead author, noted that the sample was small.",
         ("the sample was small", "Dr. Sam Yoo", "noted", "Sam Yoo", "indirect")),
        ("Police spokesman Ray Dunn told the court that the car had been stolen.",
         ("the car had been stolen", "Police spokesman Ray Dunn", "told", "Ray Dunn", "indirect")),
        ("The mayor asked whether the budget was final.",
         ("whether the budget was final", "The mayor", "asked", "mayor", "indirect")),
        ("Lisa Grant, who chairs the board, insisted the sale was legal.",
         ("the sale was legal", "Lisa Grant", "insisted", "Lisa Grant", "indirect")),
    ],
)  # fmt: skip
def test_indirect_quotes(text, row):
    assert found(text) == [row]


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("According to the fire service, the blaze started in a kitchen.",
         ("the blaze started in a kitchen", "the fire service", "According to", "fire service",
          "indirect")),
        ("Turnout was the lowest in decades, according to election officials.",
         ("Turnout was the lowest in decades", "election officials", "according to",
          "election officials", "indirect")),
    ],
)  # fmt: skip
def test_according_to_before_and_after(text, row):
    assert found(text) == [row]


def test_a_clause_with_quoted_fragments_is_mixed():
    text = 'Coach Ben Hale said the defeat was "embarrassing" and "avoidable".'
    assert found(text) == [
        ('the defeat was "embarrassing" and "avoidable"', "Coach Ben Hale", "said", "Ben Hale",
         "mixed"),
    ]  # fmt: skip


def test_parenthetical_cue_after_the_content():
    text = "The talks will resume on Monday, a spokeswoman said."
    assert found(text) == [
        ("The talks will resume on Monday", "a spokeswoman", "said", "spokeswoman", "indirect")
    ]


def test_nested_reporting_gives_both_quotes():
    text = "Judge Mia Ross wrote that officials had been told by engineers that the dam could fail."
    rows = found(text)
    assert ("the dam could fail", "engineers", "told", "engineers", "indirect") in rows
    assert rows[0][1:4] == ("Judge Mia Ross", "wrote", "Mia Ross")


def test_coordinated_cues_share_the_speaker():
    text = "The nurses said the wards were full and called on the minister to act."
    rows = found(text)
    assert rows == [
        ("the wards were full", "The nurses", "said", "nurses", "indirect"),
        ("the minister to act", "The nurses", "called on", "nurses", "indirect"),
    ]


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("The company reported higher profits, adding that demand remained strong.",
         ("demand remained strong", "The company", "adding", "company", "indirect")),
        ("The minister defended the plan on Monday, saying it would create jobs.",
         ("it would create jobs", "The minister", "saying", "minister", "indirect")),
    ],
)  # fmt: skip
def test_a_participle_cue_is_the_subjects(text, row):
    assert found(text) == [row]


def test_a_participle_cue_continues_the_speaker_of_its_sentence():
    text = ('"Prices are easing," said Ada Cole, an economist at Brightline Bank, adding that '
            'wages had caught up. Garcia said the vote was a win, adding: "We will not stop."')  # fmt: skip
    assert found(text) == [
        ('"Prices are easing,"', "Ada Cole", "said", "Ada Cole", "direct"),
        ("wages had caught up", "Ada Cole", "adding", "Ada Cole", "indirect"),
        ("the vote was a win", "Garcia", "said", "Garcia", "indirect"),
        ('"We will not stop."', "Garcia", "adding", "Garcia", "direct"),
    ]


def test_a_quantity_after_the_cue_opens_the_clause():
    assert found("Officials said at least 12 people were hurt in the blast.") == [
        ("at least 12 people were hurt in the blast", "Officials", "said", "Officials", "indirect")
    ]


def test_a_whole_quote_after_an_introductory_phrase_is_direct():
    text = 'Asked about the claims, Rob Hale said, "I have nothing to hide."'
    assert found(text) == [('"I have nothing to hide."', "Rob Hale", "said", "Rob Hale", "direct")]


@pytest.mark.parametrize(
    ("text", "speaker", "name"),
    [
        ("According to a statement released by the Home Office, the flights will resume.",
         "the Home Office", "Home Office"),
        ("Exports fell 3 percent, according to data from the Trade Ministry.",
         "the Trade Ministry", "Trade Ministry"),
        ("According to court documents, the firm paid $2 million.",
         "court documents", "court documents"),
    ],
)  # fmt: skip
def test_according_to_a_document_names_who_published_it(text, speaker, name):
    assert found(text)[0][1:4] == (speaker, "According to" if text[0] == "A" else "according to",
                                   name)  # fmt: skip


# --- speakers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("A source familiar with the matter said the sides were close to a deal.",
         "A source familiar with the matter"),
        ("Two people close to the minister said she would not resign.",
         "Two people close to the minister"),
        ('"It is over," said one official with knowledge of the talks.',
         "one official with knowledge of the talks"),
    ],
)  # fmt: skip
def test_unnamed_sources_keep_what_describes_them(text, speaker):
    assert found(text)[0][1] == speaker


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("The senator, a Democrat from Ohio, has said she will not back the bill.", "The senator"),
        ("The review, published on Thursday, found that emissions rose.", "The review"),
        ("Its author, retired judge Ann Cray, wrote that the dam was unsafe.",
         "retired judge Ann Cray"),
        ("The chief executive, Jon Park, told staff that the deal would close.", "Jon Park"),
        ('"This is unacceptable," the union\'s president, Lee Carter, wrote.', "Lee Carter"),
    ],
)  # fmt: skip
def test_the_subject_around_an_apposition(text, speaker):
    rows = found(text)
    assert len(rows) == 1 and rows[0][1] == speaker


def test_a_question_put_to_the_subject_is_not_theirs():
    text = "Holt, asked whether other cuts were possible, said the plan was the least painful."
    assert found(text) == [("the plan was the least painful", "Holt", "said", "Holt", "indirect")]


def test_a_party_in_parentheses_stands_between_name_and_cue():
    assert found('Rep. Ann Lee (R-S.C.) said the bill was "dead on arrival."') == [
        ('the bill was "dead on arrival."', "Rep. Ann Lee", "said", "Ann Lee", "mixed")
    ]


def test_a_list_of_names_before_the_cue_is_one_speaker():
    text = 'In a statement, the leaders of France, Germany and Italy said that "borders hold."'
    assert found(text)[0][1] == "the leaders of France, Germany and Italy"


def test_speakers_named_together_are_one_group():
    text = "Ana Ruiz and Bo Li said the deal was off. They said it was over."
    assert [row[1:4] for row in found(text)] == [
        ("Ana Ruiz and Bo Li", "said", "Ana Ruiz and Bo Li"),
        ("They", "said", "Ana Ruiz and Bo Li"),
    ]


def test_a_quantifier_standing_alone_is_the_speaker():
    text = "Some said a deal was close; others warned that the sides remained far apart."
    assert found(text) == [
        ("a deal was close", "Some", "said", "Some", "indirect"),
        ("the sides remained far apart", "others", "warned", "others", "indirect"),
    ]


def test_a_cue_without_a_speaker_does_not_borrow_the_last_one():
    text = "Mayor Ann Ruiz said the vote was won. It was said later that the count was wrong."
    assert found(text)[-1][3] == ""


def test_the_object_of_a_preposition_is_not_what_was_said():
    text = 'Chancellor Otto Brandt warned against what he called "a dictated peace."'
    assert found(text) == [('"a dictated peace."', "he", "called", "Otto Brandt", "direct")]


def test_a_description_between_commas_leaves_the_name_as_speaker():
    text = "Ivan Petrov, the Kremlin spokesman, told reporters that no talks were planned."
    assert found(text)[0][1:4] == ("Ivan Petrov", "told reporters", "Ivan Petrov")


def test_a_name_starts_after_a_possessive_and_a_title():
    text = ("Norway's Prime Minister Ola Berg said the ban would stay. "
            '"It stays," Berg said.')  # fmt: skip
    assert [row[3] for row in found(text)] == ["Ola Berg", "Ola Berg"]


def test_state_media_report():
    rows = found("Xi said that the island was a core issue, state media reported.")
    assert ("state media", "reported") in [row[1:3] for row in rows]


def test_pronouns_and_short_names_resolve_to_the_named_speaker():
    text = (
        "Health Secretary Joan Pike said the plan was ready.\n"
        "Pike added that hospitals would get more staff. She warned that winter would be hard."
    )
    names = [row[3] for row in found(text)]
    assert names == ["Joan Pike", "Joan Pike", "Joan Pike"]
    record = preannotate(text)
    [relation] = record.relations
    spans = record.span_by_id()
    assert (spans[relation.source].text, spans[relation.target].text) == ("She", "Pike")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # A given name tells.
        ("Mayor Karen Holt spoke first. Budget chief Raj Patel said the gap had grown. "
         '"We had no choice," she said.', "Karen Holt"),
        # A title tells, and what one mention tells holds for the entity's others.
        ("Ms. Okafor opened the session. Director Ode Bassey said costs rose. "
         'Okafor left early. "It is settled," she said.', "Okafor"),
        # A role tells.
        ("A spokeswoman for the firm declined to give details. Engineer Tom Bassey said the "
         'test failed. "We will publish the data," she said.', "spokeswoman for the firm"),
        # Nothing tells: the nearest person.
        ('Chair Ode Bassey spoke first. The auditor, Nkem Obi, said the books were clean. '
         '"We are done," she said.', "Nkem Obi"),
    ],
)  # fmt: skip
def test_he_and_she_skip_people_known_to_be_of_the_other_gender(text, name):
    assert found(text)[-1][3] == name


def test_they_and_it_find_groups_and_bodies():
    text = (
        'Analysts at Brightline Bank expected a rate cut. "It is coming," they wrote.\n'
        'The agency rejected what it called "a rumour".'
    )
    rows = found(text)
    assert rows[0][1:4] == ("they", "wrote", "Analysts at Brightline Bank")
    assert rows[1] == ('"a rumour"', "it", "called", "agency", "direct")


def test_the_registry_names_a_speaker_the_text_calls_by_surname():
    text = "Ushakov said the talks were useful."
    assert found(text, {"ushakov": "Yury Ushakov"})[0][3] == "Yury Ushakov"


# --- what is not a quote --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The company reported a loss of $3 million.",
        "She called the meeting to order.",
        "Asked about the delay, the minister smiled.",
        "His report on the crash is due in May.",
        "The said agreement expired in June.",
        "The driver asked not to be named.",
        "No one spoke.",
    ],
)
def test_reporting_words_that_report_nothing(text):
    assert found(text) == []


# --- claim type suggestions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("“Who will pay for this?”", "question"),
        ("prices will rise in spring", "prediction"),
        ("“We will publish the numbers every month,”", "commitment"),
        ("the report was accurate", ""),
    ],
)
def test_claim_type_hints(quote, expected):
    result = attribute(f"Ana Ruiz said {quote}.")
    assert claim_hint(quote, result.found[0]) == expected


def test_every_prediction_has_a_type_and_a_score():
    record = preannotate('"Yes," she said. The mayor said that the plan would work.')
    assert all(a.quote_type for a in record.attributions)
    assert set(record.provenance["scores"]) == {a.quote for a in record.attributions}
    assert 0 < record.score <= 1 and record.provenance["suggested"] == ["claim_type"]


@pytest.mark.parametrize(
    ("text", "row"),
    [
        # A clause without "that" after a verb of thinking or of evidence.
        ("Asked about the race, Ms. Reyes said little. I think he has a lot of people afraid.",
         ("he has a lot of people afraid", "I", "think", "", "indirect")),
        ("The poll showed Clinton leading Sanders by two points.",
         ("Clinton leading Sanders by two points", "The poll", "showed", "poll", "indirect")),
        ("The aircraft was insured at $35 million in 2011, records show.",
         ("The aircraft was insured at $35 million in 2011", "records", "show", "records",
          "indirect")),
        # A helper verb between the speaker and the cue.
        ("Senator Ann Holt does not believe the bill will pass.",
         ("the bill will pass", "Senator Ann Holt", "believe", "Ann Holt", "indirect")),
        # Speech acts on someone.
        ("Clinton accused him of an “artful smear” over her fundraising.",
         ("him of an “artful smear” over her fundraising", "Clinton", "accused", "Clinton",
          "mixed")),
        ("Mayor Lena Hart called the plan a “disaster” for the city.",
         ("the plan a “disaster” for the city", "Mayor Lena Hart", "called", "Lena Hart",
          "mixed")),
    ],
)  # fmt: skip
def test_cues_found_by_what_follows_them(text, row):
    assert row in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "The outage showed how fragile the apps are.",  # an event holds no view
        "Marlowe showed no reaction as the sentence was read out.",
        "She thinks the world of him.",  # no clause
        "The council called a meeting for Tuesday.",  # a meeting, no charge
        "Voters know him well.",
    ],
)
def test_verbs_that_are_not_reporting_here(text):
    assert found(text) == []


def test_no_quote_without_a_word_in_it():
    assert found("He said ''. Then he left.") == []


def test_a_quote_completing_a_clause_after_another_quote_of_the_sentence():
    text = (
        "Sanders will back Clinton, a former rival says.\n"
        '"His normal demeanor is grumpy," she said, but despite the tone, '
        '"I think he will do it," Kunin says.'
    )
    record = preannotate(text)
    for span in record.spans:
        assert type(span.start) is int and type(span.end) is int
        assert span.text == text[span.start : span.end]
    quotes = [s.text for s in record.spans if s.label == "Quote"]
    assert '"His normal demeanor is grumpy,"' in quotes


@pytest.mark.parametrize(
    ("text", "row"),
    [
        # A contracted helper verb and a verb in the present make a clause.
        ("Murphy, though, said he’s with Hillary Clinton.",
         ("he’s with Hillary Clinton", "Murphy", "said", "Murphy", "indirect")),
        ("In Virginia, most Democrats said the economic system favors the wealthy.",
         ("the economic system favors the wealthy", "most Democrats", "said", "Democrats",
          "indirect")),
        # "that" two words before a verb of thinking is a complementiser, not "that claim".
        ("Part of it is that Republicans think the rates have enabled big government.",
         ("the rates have enabled big government", "Republicans", "think", "Republicans",
          "indirect")),
        # A recipient named in capitals, then the clause.
        ("Joyce told The Huffington Post he’s not planning an appeal.",
         ("he’s not planning an appeal", "Joyce", "told", "Joyce", "indirect")),
        # The speaker before an aside set off by dashes.
        ("Joyce — who is listed as an attorney in Illinois — told reporters he would wait.",
         ("he would wait", "Joyce", "told reporters", "Joyce", "indirect")),
    ],
)  # fmt: skip
def test_clauses_and_speakers_found_in_harder_sentences(text, row):
    assert row in found(text)


def test_a_dateline_and_an_appositive_after_the_cue_are_the_writers():
    text = (
        "VIENNA, April 14 (Continental Press) - Repairs to the lock will take five weeks "
        "longer than planned, the operator said on Tuesday, a setback that threatens to "
        "strand grain."
    )
    assert [row[0] for row in found(text)] == [
        "Repairs to the lock will take five weeks longer than planned"
    ]


@pytest.mark.parametrize(
    ("text", "row"),
    [
        # A time phrase between the verb and its "that".
        ("A Quinnipiac poll found last week that Clinton would beat Trump.",
         ("Clinton would beat Trump", "A Quinnipiac poll", "found", "Quinnipiac poll",
          "indirect")),
        # A commitment with an infinitive.
        ("Mr. Trump vowed to reverse job losses.",
         ("to reverse job losses", "Mr. Trump", "vowed", "Trump", "indirect")),
        # After "that", a subject and a verb in any form.
        ("He suggested that she share anecdotes about her upbringing.",
         ("she share anecdotes about her upbringing", "He", "suggested", "", "indirect")),
    ],
)  # fmt: skip
def test_complements_a_verb_takes(text, row):
    assert row in found(text)


def test_a_dateline_is_no_ones_name():
    text = "WASHINGTON — the group warned of a “very big threat” to the city."
    assert all(row[1] != "WASHINGTON" for row in found(text))


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("McConnell was quick to embrace him and said this week that Trump is listening.",
         ("Trump is listening", "McConnell", "said", "McConnell", "indirect")),
        ("Cruz spoke for a minute and seemed to blame the network for its reporting.",
         ("the network for its reporting", "Cruz", "blame", "Cruz", "indirect")),
        ("He went on to say, “She once threw a Bible at a reporter.”",
         ("“She once threw a Bible at a reporter.”", "He", "say", "", "direct")),
        ("Five former employees separately told reporters that the company cut pay.",
         ("the company cut pay", "Five former employees", "told reporters",
          "former employees", "indirect")),
    ],
)  # fmt: skip
def test_the_subject_of_a_chain_of_verbs_is_the_speaker(text, row):
    assert row in found(text)


def test_a_document_sent_saying_something_is_its_senders_word():
    text = "The Cruz campaign sent a fundraising email Wednesday saying that the results were a warning."
    assert ("the results were a warning", "The Cruz campaign", "saying", "Cruz campaign",
            "indirect") in found(text)  # fmt: skip


def test_a_verb_that_needs_a_complement_is_a_cue_after_a_quote():
    text = "''I've studied this closely,'' she continued, ''and we go after the risk.''"
    [row] = found(text)
    assert row[1:3] == ("she", "continued") and row[4] == "direct"


@pytest.mark.parametrize(
    "text",
    [
        'The senator said <a href="http://example.com/story">in a post</a> that taxes would rise.',
        'The senator said {"source": "wire", "quote": "no"} that taxes would rise.',
    ],
)
def test_markup_is_nobodys_words(text):
    assert [row[0] for row in found(text)] == ["taxes would rise"]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Florida delegate John Archer, wearing a T-shirt covered in Sanders buttons, said he "
         "was proud.", "Florida delegate John Archer"),
        ("Beck, who opposed Trump in the primaries, last week said Trump was weak.", "Beck"),
    ],
)  # fmt: skip
def test_speakers_past_an_aside_or_a_time_phrase(text, speaker):
    assert [row[1] for row in found(text)] == [speaker]


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("The city council is saying that the budget will balance.",
         ("the budget will balance", "The city council", "saying", "city council", "indirect")),
        ("Governor Ada Moss isn't saying whether the plant will close.",
         ("whether the plant will close", "Governor Ada Moss", "saying", "Ada Moss", "indirect")),
        ("Moss now says she opposes the merger.",
         ("she opposes the merger", "Moss", "says", "Moss", "indirect")),
        ('"We will rebuild," said the Rev. Ann Oduya, of Grace Chapel.',
         ('"We will rebuild,"', "the Rev. Ann Oduya", "said", "Ann Oduya", "direct")),
    ],
)  # fmt: skip
def test_speakers_across_progressive_helpers_adverbs_and_titles(text, row):
    assert found(text) == [row]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("During a speech in Ohio on Monday, Lena Park attacked the plan, saying, "
         "“It will cost jobs.”", "Lena Park"),
        ("After the vote, the mayor thanked the council and said the plan would pass.",
         "the mayor"),
    ],
)  # fmt: skip
def test_the_subject_after_an_opening_phrase_speaks_for_later_verbs(text, speaker):
    assert [row[1] for row in found(text)] == [speaker]


def test_a_scene_set_by_a_participle_is_not_what_was_said():
    text = "Asked to describe the device, Chief Dana Hill said, “Not going to go into that.”"
    assert found(text) == [
        ("“Not going to go into that.”", "Chief Dana Hill", "said", "Dana Hill", "direct")
    ]


def test_a_cue_closing_the_first_paragraph_with_a_colon_introduces_the_next():
    text = "The mayor said:\n\n“We have a plan. We will stick to it.”\n"
    assert found(text) == [
        ("“We have a plan. We will stick to it.”", "The mayor", "said", "mayor", "direct")
    ]


def test_a_quote_signed_with_a_dash_and_a_name_is_theirs():
    text = (
        "Readers wrote in after the debate.\n"
        "“He never answered the question.” ― Rosa Delgado\n"
        "“I am voting early this year.”— Tom J. Reyes.\n"
        "“The race is close — closer than ever.” — and polls agree.\n"
    )
    rows = found(text)
    assert rows[:2] == [
        ("“He never answered the question.”", "Rosa Delgado", "―", "Rosa Delgado", "direct"),
        ("“I am voting early this year.”", "Tom J. Reyes", "—", "Tom J. Reyes", "direct"),
    ]
    assert all(row[2] not in ("—", "―") for row in rows[2:])


@pytest.mark.parametrize(
    "text",
    [
        "Fans commented: “What a game.”",
        "The crowd chanted, “Four more years.”",
        "She wondered aloud whether the vote would hold.",
    ],
)
def test_more_speech_verbs(text):
    assert len(found(text)) == 1


@pytest.mark.parametrize(
    ("text", "row"),
    [
        # A reason the speaker gives is part of the claim.
        ("Lee said the plan failed because nobody funded it.",
         ("the plan failed because nobody funded it", "Lee", "said", "Lee", "indirect")),
        # A quote made the subject of the reported clause: the whole clause.
        ('Mayor Ruiz said at an event that "a fire" had broken out downtown.',
         ('"a fire" had broken out downtown', "Mayor Ruiz", "said", "Ruiz", "mixed")),
        # Words after a subject pronoun or "never" make a clause.
        ("Most of the members said they support the strike.",
         ("they support the strike", "Most of the members", "said", "Most of the members",
          "indirect")),
        ("Galvin said the station never shut its doors.",
         ("the station never shut its doors", "Galvin", "said", "Galvin", "indirect")),
        # "Exit polling", "the ruling": nouns in -ing can be sources.
        ("Exit polling shows he won most young voters.",
         ("he won most young voters", "Exit polling", "shows", "Exit polling", "indirect")),
    ],
)  # fmt: skip
def test_clauses_their_extent_and_their_sources(text, row):
    assert found(text) == [row]


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("The decision signals “the end of an era” for the league, said Ada Park, who "
         "coached there.",
         ("The decision signals “the end of an era” for the league", "Ada Park", "said",
          "Ada Park", "mixed")),
        ("Ruth Marsh, an editor at The Daily Ledger, asked Kim if the paper would close.",
         ("if the paper would close", "Ruth Marsh", "asked", "Ruth Marsh", "indirect")),
        ("Lee was asked by host Dan Cole whether the plan would pass.",
         ("whether the plan would pass", "host Dan Cole", "asked", "Dan Cole", "indirect")),
        ("The mayor did not reply, though he said the budget would hold.",
         ("the budget would hold", "he", "said", "mayor", "indirect")),
    ],
)  # fmt: skip
def test_speakers_after_the_cue_before_an_aside_and_asking(text, row):
    assert found(text) == [row]


def test_a_question_put_to_the_subject_is_still_not_theirs():
    rows = found("Holt, asked whether he would run again, said he had not decided.")
    assert [row[:3] for row in rows] == [("he had not decided", "Holt", "said")]


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ('Lee said the tax was "a disaster for farmers." His plan, clearly stated on '
         "television, was to repeal it.", 'the tax was "a disaster for farmers."'),
        ("She said the agency was behind the leak. (The agency denied it.)",
         "the agency was behind the leak"),
        ('His show is "The Daily Hour." She says he is unfit to host it.', "he is unfit to host it"),
    ],
)  # fmt: skip
def test_sentences_end_where_a_new_one_starts(text, quote):
    assert quote in [row[0] for row in found(text)]


def test_a_title_quoted_mid_sentence_is_not_a_quote_before_the_cue():
    text = 'In an interview on CBS\'s "Face the Nation," Ann Ruiz said the vote was close.'
    assert found(text) == [("the vote was close", "Ann Ruiz", "said", "Ann Ruiz", "indirect")]


def test_a_transcripts_lines_are_their_speakers():
    text = (
        "Partial transcript as follows:\n\n"
        '"HOST: Will the senator be there tomorrow? We need to know.\n\n'
        '"RUIZ: She will not attend. The campaign decided that last week.\n\n'
        "UPDATE: The senator later changed her plans.\n"
    )
    assert [row[:3] for row in found(text)] == [
        ("Will the senator be there tomorrow? We need to know.", "HOST", ":"),
        ("She will not attend. The campaign decided that last week.", "RUIZ", ":"),
    ]


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("Ann Ruiz: Voters Are Tired Of The Same Old Promises\nThe race tightened.",
         [("Voters Are Tired Of The Same Old Promises", "Ann Ruiz", ":")]),
        ("Live Updates: The Final Debate\nThe race tightened.", []),
    ],
)  # fmt: skip
def test_a_headline_led_by_a_name_and_a_colon(text, rows):
    assert [row[:3] for row in found(text)] == rows


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('"We won." Lee, 34, said. She left early.', "Lee"),
        ('"We won." Kate Lee, a nurse, said. She left early.', "Kate Lee"),
    ],
)
def test_a_closing_cue_after_a_full_stop_with_an_aside_in_its_speaker(text, speaker):
    assert found(text)[0][:3] == ('"We won."', speaker, "said")
