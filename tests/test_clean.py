"""Tests of framing.clean: every boilerplate rule on a text it must clean and on prose it must
leave alone, Unicode and whitespace repair, mangled quotes, apostrophe restoration, the documents
table contract, idempotence, and (marked ``corpora``) the real corpora.

All fixture texts are invented for these tests.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from framing.clean import (
    SCOPES,
    BoilerplateRule,
    CleaningResult,
    clean_documents,
    clean_text,
    default_rules,
    load_rules,
    repair_mangled_quotes,
    restore_apostrophes,
)
from framing.errors import ParseError, SchemaError

P1 = "The minister met the delegation on Monday."
P2 = "Talks will continue next week, officials said."

# (rule, raw text, cleaned text). Every rule of boilerplate.toml needs at least one case here
# (test_every_rule_has_a_positive_case).
POSITIVE = [
    ("advertisement", f"{P1}\n\nAdvertisement\n\n{P2}", f"{P1}\n\n{P2}"),
    ("advertisement", f"{P1}\n\nADVERTISEMENT:\n\n{P2}", f"{P1}\n\n{P2}"),
    ("advertisement", f"{P1}\n\nAdvertisement Advertisement\n\n{P2}", f"{P1}\n\n{P2}"),
    ("advertisement_inline", f"{P1} Advertisement Advertisement {P2}", f"{P1} {P2}"),
    ("continued_below", f"{P1}\n\nStory Continued Below\n\n{P2}", f"{P1}\n\n{P2}"),
    ("share_buttons", f"SHARE THIS ARTICLE Share Tweet Post Email\n\n{P1}", P1),
    ("share_buttons", f"{P1}\n\nFacebook Twitter Email", P1),
    ("share_story", f"{P1}\n\nRead or Share this story: http://example.com/x1", P1),
    ("share_buttons_inline", f"{P1} Like Follow Follow {P2}", f"{P1} {P2}"),
    ("share_link", f"{P1} SEND httpexampl.ly3xYz {P2}", f"{P1} {P2}"),
    ("short_url_widget", f"{P1} Get short URL 0 12 {P2}", f"{P1} {P2}"),
    ("tweet_links", f"{P1} pic.twitter.com/AbC123 {P2}", f"{P1} {P2}"),
    ("tweet_links", f"{P1} httpst.coXy12Ab {P2}", f"{P1} {P2}"),
    ("social_follow", f"{P1}\n\nFollow us on Twitter @ExampleDesk.", P1),
    ("social_follow", f"{P1}\n\nFollow @exampledesk", P1),
    (
        "comment_widget",
        f"{P1} Tags talks delegation Community standardsDiscussion Comment via Facebook",
        P1,
    ),
    (
        "site_footer",
        f"{P1} Related News Some headline | Another one Follow us on Instagram. "
        "Contact Us Terms of Use Privacy Policy Cookie Policy",
        P1,
    ),
    ("newsletter_line", f"{P1}\n\nSign up for Daily Newsletters Manage Newsletters", P1),
    ("newsletter_line", f"{P1}\n\nSign up to receive the top stories every morning", P1),
    (
        "newsletter_promo",
        f"{P1}\n\nMorning Digest Email Sign Up By signing up you agree to receive email alerts.",
        P1,
    ),
    (
        "newsletter_promo",
        f"{P1}\n\n**Want Example Brief in your inbox every day? Sign up here.**",
        P1,
    ),
    ("newsletter_sentence", f"{P1} Sign up here. {P2}", f"{P1} {P2}"),
    ("newsletter_promo", "** Always wanted our picks? Get them each morning. Sign up here **", ""),
    (
        "newsletter_sentence",
        f"{P1} To read more, go to the Opinion page or sign up for our daily newsletter.",
        P1,
    ),
    (
        "newsletter_sentence",
        f"{P1} Want more updates from Jane Roe? Sign up for her newsletter, The Ledger, here.",
        P1,
    ),
    ("copyright_line", f"{P1}\n\nCopyright © 2019 Example Media, LLC.", P1),
    ("copyright_line", f"{P1}\n\n© Copyright 2017 by Example Syndicate Inc.", P1),
    ("click_here", f"{P1} To read the full report click here. {P2}", f"{P1} {P2}"),
    ("click_here_line", f"{P1}\n\nClick here to read more", P1),
    ("click_here", f"{P1}\n\nClick for more from Example Wire.", P1),
    ("click_here_line", f"{P1}\n\nGet Example TV on your cable system — Click Here Now", P1),
    ("read_more_list", f"{P1}\n\nREAD MORE:\n\nA headline here\n\nAnother headline", P1),
    ("read_more_list", f"{P1}\n\nRelated:\n\nA headline here\n\n{P2}", f"{P1}\n\n{P2}"),
    ("teaser_line", f"{P1}\n\nSEE ALSO: Officials weigh new sanctions\n\n{P2}", f"{P1}\n\n{P2}"),
    (
        "teaser_line",
        f"{P1}\n\nMore On This... Officials weigh new sanctions\n\n{P2}",
        f"{P1}\n\n{P2}",
    ),
    (
        "read_more_teaser",
        f"{P1}\n\nWhy the talks stalled – analysis Read more\n\n{P2}",
        f"{P1}\n\n{P2}",
    ),
    ("read_more_sentence", f"{P1} Read more from Example Wire.", P1),
    ("read_more_marker", f"{P1} READ MORE: {P2}", f"{P1} {P2}"),
    (
        "read_more_marker",
        f"{P1} {P2} {P1} {P2} {P1} {P2} Read more »",
        f"{P1} {P2} {P1} {P2} {P1} {P2}",
    ),
    (
        "story_highlights",
        f"Story highlights Leaders met on Monday\n\nNo deal was reached\n\n{P1}",
        P1,
    ),
    ("npr_caption", f"Enlarge this image toggle caption Jane Roe/AP Jane Roe/AP\n\n{P1}", P1),
    ("enlarge_image", f"{P1} Enlarge this image", P1),
    ("photo_gallery", f"{P1}\n\nCrowds gathered in the square. Previous Next Jane Roe/AFP", P1),
    ("video_widget", f"{P1}\n\nJUST WATCHED Talks resume Replay More Videos ... 02:11", P1),
    ("video_promo", f"CLOSE Our host talks with an editor about the talks.\n\n{P1}", P1),
    ("media_placeholder", f"{P1}\n\n[pullquote]\n\n{P2}", f"{P1}\n\n{P2}"),
    ("media_placeholder", f"{P1}\n\nCLOSE\n\n{P2}", f"{P1}\n\n{P2}"),
    ("photo_credit_parenthesis", f"{P1} (Photo: Jane Roe, AP)", P1),
    ("photo_credit_parenthesis", f"{P1} (Reuters photo: Jane Roe)", P1),
    (
        "photo_credit_pipe",
        "Delegates arrive in Geneva. | Jane Roe/AP Photo",
        "Delegates arrive in Geneva.",
    ),
    (
        "photo_credit_ap",
        "Delegates arrive in Geneva. AP Photo/Jane Roe",
        "Delegates arrive in Geneva.",
    ),
    ("photo_credit_agency", f"Published May 2 2016 DHA Photo {P1}", P1),
    (
        "photograph_credit",
        "Delegates in Geneva. Photograph: Jane Roe/Example",
        "Delegates in Geneva.",
    ),
    (
        "photo_credit_label",
        "Delegates in Geneva. Photo: JANE ROE/AFP/Getty Images",
        "Delegates in Geneva.",
    ),
    (
        "photo_credit_name",
        "Delegates in Geneva on May 2. Jane Roe/EPA",
        "Delegates in Geneva on May 2.",
    ),
    ("getty_credit", f"JANE ROE/GETTY IMAGES {P1}", P1),
    ("credit_line", f"{P1}\n\nGetty Images\n\n{P2}", f"{P1}\n\n{P2}"),
    (
        "bbc_image",
        "Image copyright Reuters Image caption Delegates arrived on Monday",
        "Delegates arrived on Monday",
    ),
    ("bbc_media", f"Media playback is unsupported on your device\n\n{P1}", P1),
    ("dateline_date", f"Wed 05 Apr 2017 {P1}", P1),
    ("dateline_date", f"Published November 23 2017 {P1}", P1),
    ("dateline_date", f"Monday 21 November 2016 19:18 {P1}", P1),
    ("dateline_date", f"21.08.2013 {P1}", P1),
    ("dateline_date", f"Sat 24 Aug 2013 at 2354 Regional NNA - {P1}", P1),
    ("dateline_date", f"Date of publication 7 July 2016 {P1}", P1),
    ("dateline_date", f"Last updated at Oct 042017 {P1}", P1),
    ("dateline_wire", f"BEIRUT (Reuters) - {P1}", P1),
    ("dateline_wire", f"Damascus, Syria (CNN) -- {P1}", P1),
    ("dateline_city", f"WASHINGTON — {P1}", P1),
    ("dateline_city", f"BECKLEY, W.Va. -- {P1}", P1),
    ("dateline_tass", f"MOSCOW, March 3. /TASS/. {P1}", P1),
    ("time_ago", f"7 years ago\n\n{P1}", P1),
    ("updated_stamp", f"{P1}\n\nUpdated at 4:54 p.m. ET", P1),
    (
        "copyright_tail",
        f"{P1}\n\n— Jane Roe writes a column. © 2017 Example Features",
        f"{P1}\n\n— Jane Roe writes a column.",
    ),
    ("copyright_tail", f"{P1} Copyright © 2018 Example World. Watch Live Schedule", P1),
    ("reuters_trust", f"{P1} Our Standards:The Thomson Reuters Trust Principles.", P1),
    ("cookie_notice", f"{P1}\n\nWe use cookies to improve your experience on our site.", P1),
    (
        "cookie_notice",
        f"{P1} By continuing to use this site you agree to our terms. {P2}",
        f"{P1} {P2}",
    ),
    ("skip_navigation", f"fb-pixel Skip to main content {P1}", P1),
    ("html_residue", f'{P1} <a href="http://example.com/v">video</a>', f"{P1} video"),
    ("html_residue", f'Two clips poster="http://example.com/a.jpg" {P1}', f"Two clips {P1}"),
]

# Prose that looks a little like boilerplate and must come out unchanged.
FALSE_POSITIVES = [
    "The president urged young people to sign up for health insurance before the deadline.",
    "Sign up rates for the program fell sharply in March, the agency said.",
    "She said the newsletter would let readers sign up for local alerts.\n\nIt launched in May.",
    "An advertisement for the show hangs in the lobby.",
    "Campaign advertisements reached millions of voters.",
    "Advertisement spending rose by 4 percent last year, according to the survey.",
    "If you want details, click through the report's annex.",
    'He said that "a pretty smart cookie" would see the trap.',
    "You can read more about the plan in the appendix.",
    "Readers who want more can read more of her work in the archive.",
    "Getty Images photographer John Doe was injured in the blast.",
    "Copyright law comes above family protection, the court ruled.",
    "Photo ID rules for 2016/2017 were debated.",
    "More than 200 people attended, according to Reuters.",
    "Follow-up talks are planned.",
    "The Hill reported the vote late on Tuesday.",
    "Like Obama before him, Trump weighed the options.",
    "His <Sigh> was audible on the recording.",
    "Share prices fell. Tweet volume spiked.",
    "Syria and Russia held talks. Related issues will be discussed later.",
    "Previous talks in Geneva failed.",
    "Storm warnings were issued for the coast.",
    "Washington says the talks (which began in May) will go on.",
    "May 2017 was the hottest month on record.",
]


def _rules_by_name():
    return {rule.name: rule for rule in default_rules()}


# ----------------------------------------------------------------------------- rules file


def test_default_rules_are_valid_and_documented():
    rules = load_rules()
    names = [rule.name for rule in rules]
    assert len(names) == len(set(names))
    assert {rule.scope for rule in rules} == set(SCOPES)
    for rule in rules:
        assert rule.description, rule.name
        assert all(hint == hint.lower() for hint in rule.hint)


def test_every_rule_has_a_positive_case():
    covered = {name for name, _, _ in POSITIVE}
    assert set(_rules_by_name()) <= covered, set(_rules_by_name()) - covered


def test_load_rules_from_a_custom_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        "[[rule]]\n"
        'name = "promo"\n'
        'scope = "line"\n'
        "pattern = '''subscribe now!?'''\n"
        "ignore_case = true\n"
        'description = "a promo line"\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert [rule.name for rule in rules] == ["promo"]
    text, counts = clean_text(f"{P1}\n\nSUBSCRIBE NOW\n\nAdvertisement", rules=path)
    assert text == f"{P1}\n\nAdvertisement"  # only the custom rule ran
    assert counts == {"promo": 1}
    combined = load_rules() + rules
    assert clean_text(f"{P1}\n\nSubscribe now\n\nAdvertisement", rules=combined)[0] == P1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[[rule]]\nname = 'x'\nscope = 'page'\npattern = 'a'\n", "scope"),
        ("[[rule]]\nname = 'x'\nscope = 'line'\npattern = '(a'\n", "invalid regular"),
        ("[[rule]]\nname = 'x'\nscope = 'line'\npattern = '(?i)a'\n", "invalid regular"),
        ("[[rule]]\nname = 'x'\nscope = 'line'\n", "lacks"),
        ("[[rule]]\nname = 'x'\nscope = 'line'\npattern = 'a'\ncolour = 1\n", "unknown"),
        ("[[rule]]\nname = 'x'\nscope = 'line'\npattern = 'a'\nhint = 'A'\n", "lower"),
        (
            "[[rule]]\nname = 'x'\nscope = 'line'\npattern = 'a'\n"
            "[[rule]]\nname = 'x'\nscope = 'line'\npattern = 'b'\n",
            "unique",
        ),
        ("title = 'no rules'\n", "none"),
        ("[[rule]\n", "TOML"),
    ],
)
def test_load_rules_rejects_bad_files(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ParseError, match=message):
        load_rules(path)


def test_rules_must_be_rule_objects():
    with pytest.raises(TypeError, match="BoilerplateRule"):
        clean_text("text", rules=["advertisement"])


def test_verbose_rule_with_trailing_comment():
    rule = BoilerplateRule("x", "inline", "foo  # a comment", verbose=True)
    assert clean_text("a foo b", rules=[rule]) == ("a b", {"x": 1})


# ------------------------------------------------------------------------------ each rule


@pytest.mark.parametrize(("rule", "raw", "expected"), POSITIVE)
def test_rule_removes_boilerplate(rule, raw, expected):
    text, counts = clean_text(raw)
    assert text == expected
    assert counts.get(rule, 0) >= 1, counts


@pytest.mark.parametrize(("rule", "raw", "expected"), POSITIVE)
def test_rule_alone_is_enough(rule, raw, expected):
    """Each case is cleaned by its own rule, not by a neighbour's."""
    text, counts = clean_text(raw, rules=[_rules_by_name()[rule]])
    assert counts.get(rule, 0) >= 1, counts


@pytest.mark.parametrize("prose", FALSE_POSITIVES)
def test_prose_is_kept(prose):
    text, counts = clean_text(prose)
    assert text == prose
    assert counts == {}


def test_sign_up_inside_a_paragraph_is_kept():
    paragraph = (
        "Officials want more people to sign up. Sign up numbers fell in March, "
        "and the agency will sign up volunteers."
    )
    assert clean_text(paragraph) == (paragraph, {})


def test_line_rule_needs_the_whole_line():
    raw = f"Advertisement revenue fell sharply last year.\n\n{P1}"
    assert clean_text(raw)[0] == raw


def test_line_rule_does_not_reach_into_the_next_line():
    raw = f"{P1}\n\nAdvertisement\n\nAdvertisement is the word on the sign, she said."
    assert clean_text(raw)[0] == f"{P1}\n\nAdvertisement is the word on the sign, she said."


def test_link_list_stops_at_prose():
    raw = (
        "READ MORE:\n\nA headline\n\nAnother headline\n\nThe talks resumed on Monday.\n\nShort line"
    )
    assert clean_text(raw)[0] == "The talks resumed on Monday.\n\nShort line"


def test_teaser_paragraph_longer_than_a_headline_keeps_its_text():
    summary = (
        "A long summary written for this page explains how the talks went, who attended, what "
        "was agreed and why observers doubt that the ceasefire will hold beyond the weekend, "
        "when both delegations return home. Read more »"
    )
    assert clean_text(summary)[0] == summary.removesuffix(" Read more »")


def test_trailing_read_more_list_is_removed():
    raw = f"{P1}\n\n{P2}\n\n— Jane Roe is a columnist.\n\nREAD MORE:\n\nOne headline\n\nTwo"
    assert clean_text(raw)[0] == f"{P1}\n\n{P2}\n\n— Jane Roe is a columnist."


def test_caption_credit_keeps_the_caption_punctuation():
    assert clean_text("Leaders met in Rome (Photo: Jane Roe, AP).")[0] == "Leaders met in Rome."


# ------------------------------------------------------------------------------- datelines


@pytest.mark.parametrize(
    ("raw", "dateline"),
    [
        (f"BEIRUT (Reuters) - {P1}", "BEIRUT (Reuters) -"),
        (f"WASHINGTON (AP) — {P1}", "WASHINGTON (AP) —"),
        (f"(CNN) {P1}", "(CNN)"),
        (f"Wed 05 Apr 2017 {P1}", "Wed 05 Apr 2017"),
        (f"Published November 23 2017 {P1}", "Published November 23 2017"),
        (
            f"20.04.2017(updated 1618 20.04.2017) Get short URL 215 {P1}",
            "20.04.2017(updated 1618 20.04.2017)",
        ),
        (f"August 22 2013 1849 UTC+3 {P1}", "August 22 2013 1849 UTC+3"),
        (f"7 years ago\n\n(CNN) - {P1}", "(CNN) -"),
        (f"Published July 27 2016 SEND httpexampl.ly9x2 {P1}", "Published July 27 2016"),
        (f"AFP Thursday 6 Mar 2014 {P1}", "AFP Thursday 6 Mar 2014"),
    ],
)
def test_dateline_moves_to_its_column(raw, dateline):
    docs = pd.DataFrame({"doc_id": ["d"], "title": [""], "text": [raw]})
    result = clean_documents(docs)
    assert result.data.loc[0, "text"] == P1
    assert result.data.loc[0, "dateline"] == dateline


@pytest.mark.parametrize(
    "text",
    [
        f"The capital was quiet. WASHINGTON — {P1}",  # only at the start
        "ISIS fighters withdrew from the town on Sunday.",
        "Reuters reported the strike on Monday.",
        "12 people were killed in the attack.",
    ],
)
def test_no_dateline_in_ordinary_openings(text):
    assert clean_text(text)[0] == text


def test_repeated_title_is_removed_before_the_dateline():
    title = "Car bomb kills four in the capital - Region - World - Example Online"
    text = (
        "Car bomb kills four in the capital AFP Thursday 6 Mar 2014 A car bomb killed four people."
    )
    docs = pd.DataFrame({"doc_id": ["d"], "title": [title], "text": [text]})
    result = clean_documents(docs)
    assert result.data.loc[0, "text"] == "A car bomb killed four people."
    assert result.data.loc[0, "dateline"] == "AFP Thursday 6 Mar 2014"
    assert set(result.changes["rule"]) >= {"title_repeat", "dateline_date"}


def test_title_after_the_dateline_is_removed():
    docs = pd.DataFrame(
        {
            "doc_id": ["d"],
            "title": ["Car bomb kills four in Damascus"],
            "text": ["Thu Sep 5 2013 Car bomb kills four in Damascus. A car bomb killed four."],
        }
    )
    assert clean_documents(docs).data.loc[0, "text"] == "A car bomb killed four."


def test_short_or_partial_titles_are_kept_in_the_text():
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "title": ["Syria", "Trump fires FBI director Comey"],
            "text": ["Syria is at war.", "Trump fires FBI director Comey, aides say."],
        }
    )
    result = clean_documents(docs)
    assert result.data["text"].tolist() == docs["text"].tolist()


# ------------------------------------------------------------------- Unicode and whitespace


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Juan Santamar\u00c3\u00ada Airport", "Juan Santamaría Airport"),
        ("Trump\u00e2\u0080\u0099s plan", "Trump’s plan"),
        ("Al-Qaeda\x92s leader", "Al-Qaeda’s leader"),
        ("WASHINGTON \x96 The vote", "The vote"),
        ("Cafe\u0301 society", "Café society"),
        ("zero\u200bwidth and soft\u00adhyphen", "zerowidth and softhyphen"),
    ],
)
def test_unicode_repair(raw, expected):
    assert clean_text(raw)[0] == expected


def test_typographic_quotes_are_kept():
    text = "“We will stay,” she said. It’s not over — yet."
    assert clean_text(text) == (text, {})


def test_whitespace_normalisation():
    raw = "  First  line\twith   gaps \r\n\r\n\r\n\r\n  Second paragraph.  \n\n\n"
    text, counts = clean_text(raw)
    assert text == "First line with gaps\n\nSecond paragraph."
    assert counts["whitespace"] >= 1


def test_single_line_breaks_are_kept():
    assert clean_text("Line one\nLine two")[0] == "Line one\nLine two"


# --------------------------------------------------------------------------- mangled quotes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('He called it "fair,"?the aide said.', 'He called it "fair,” the aide said.'),
        ('"It is over."?The vote came late.', '"It is over.” The vote came late.'),
        (
            'The court could decide "?at least for now "?the case.',
            "The court could decide — at least for now — the case.",
        ),
        ('the terrorists"?positions', "the terrorists’ positions"),
        ('the so-called "moderate"?groups', 'the so-called "moderate” groups'),
        ('your best friend"?with better taste', "your best friend — with better taste"),
        ('They didn"t know and aren"t sure.', "They didn’t know and aren’t sure."),
        ('"\ufffdWe"\ufffdll win,"?he said.', "“We’ll win,” he said."),
        ('She called it "Freedom"?. Then left.', 'She called it "Freedom”. Then left.'),
    ],
)
def test_mangled_quotes_are_repaired(raw, expected):
    text, n = repair_mangled_quotes(raw)
    assert text == expected
    assert n >= 1


@pytest.mark.parametrize(
    "text",
    [
        'Did he really say "no"? Nobody knows.',
        'Was it "bigly"?',
        'Who said "enough"?)',
        "5'10\" tall",
    ],
)
def test_questions_about_quotations_are_kept(text):
    assert repair_mangled_quotes(text) == (text, 0)


def test_mangled_quotes_are_counted_by_clean_text():
    assert clean_text('It was "fast,"?he said.')[1] == {"mangled_quotes": 1}


# ------------------------------------------------------------------------------ apostrophes


@pytest.mark.parametrize(
    ("word", "restored"),
    [
        ("dont", "don't"), ("doesnt", "doesn't"), ("didnt", "didn't"), ("isnt", "isn't"),
        ("wasnt", "wasn't"), ("arent", "aren't"), ("werent", "weren't"), ("cant", "can't"),
        ("couldnt", "couldn't"), ("wouldnt", "wouldn't"), ("shouldnt", "shouldn't"),
        ("hasnt", "hasn't"), ("havent", "haven't"), ("hadnt", "hadn't"), ("Dont", "Don't"),
        ("DIDNT", "DIDN'T"),
    ],
)  # fmt: skip
def test_negated_contractions_are_restored(word, restored):
    assert restore_apostrophes(f"They said they {word} agree.") == (
        f"They said they {restored} agree.",
        {"contraction": 1},
    )


@pytest.mark.parametrize("word", ["wont", "its", "well", "were", "hell", "shell", "id", "cants"])
def test_words_that_look_like_contractions_are_kept(word):
    text = f"As was his {word} the town said {word}."
    assert restore_apostrophes(text) == (text, {})


def test_possessives_of_names_are_restored():
    text = (
        "Syrias army and Assads forces advanced. "
        "Fighting in Syria spread, a source close to Assad said."
    )
    restored, counts = restore_apostrophes(text)
    assert restored.startswith("Syria's army and Assad's forces advanced.")
    assert counts == {"possessive": 2}


@pytest.mark.parametrize(
    "text",
    [
        "Syrians fled. Many left Syria in 2015.",  # demonym plural (-an)
        "Iraqis voted. Turnout in Iraq was low. Iraqi officials agreed.",  # -i
        "Alawites and Islamists clashed. An Alawite and an Islamist were hurt.",  # -ite, -ist
        "Kurds marched. A Kurd spoke.",  # listed plural stem
        "The United States said a State department official met State governors.",  # name run
        "Idlibs residents fled.",  # stem never occurs on its own
        "Rockets hit the town. A Rocket unit fired more rockets.",  # common noun (lower case)
        "Its forces advanced. It said the town had fallen.",  # listed word
        "Hamas fighters fired. Rockets fell on Hama.",
    ],
)
def test_plurals_and_names_are_not_made_possessive(text):
    restored, counts = restore_apostrophes(text)
    assert restored == text
    assert "possessive" not in counts


def test_sentence_initial_word_before_a_possessive_is_allowed():
    text = "In Syrias north the fighting spread. Aid reached Syria."
    assert (
        restore_apostrophes(text)[0] == "In Syria's north the fighting spread. Aid reached Syria."
    )


def test_restoration_only_when_asked():
    text = "Syrias army said it doesnt know. Aid reached Syria."
    assert clean_text(text)[0] == text
    assert clean_text(text, stripped_punctuation=True) == (
        "Syria's army said it doesn't know. Aid reached Syria.",
        {"contraction": 1, "possessive": 1},
    )


# ------------------------------------------------------------------------ documents table


@pytest.fixture
def docs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["n3", "n1", "n2", "n4"],
            "outlet": ["A", "B", "A", "C"],
            "published": pd.to_datetime(["2017-04-05", "2017-04-06", "2017-04-06", "2017-04-07"]),
            "title": ["Talks resume  in Geneva", "Strike hits air base", None, "Aid arrives"],
            "text": [
                f"GENEVA (AP) — {P1}\n\nAdvertisement\n\n{P2}",
                f"{P1}\n\nSign up for Daily Newsletters\n\nCopyright © 2019 Example Media",
                None,
                P2,
            ],
            "url": ["u3", "u1", "u2", "u4"],
            "source_extra": [1, 2, 3, 4],
        },
        index=[10, 11, 12, 13],
    )


def test_documents_rows_order_and_ids_are_preserved(docs):
    original = docs.copy()
    result = clean_documents(docs)
    assert isinstance(result, CleaningResult)
    pd.testing.assert_frame_equal(docs, original)  # input untouched
    data = result.data
    assert data["doc_id"].tolist() == docs["doc_id"].tolist()
    assert data.index.tolist() == docs.index.tolist()
    assert list(data.columns) == [*docs.columns, "dateline"]
    pd.testing.assert_frame_equal(
        data.drop(columns=["title", "text", "dateline"]), docs.drop(columns=["title", "text"])
    )
    assert data["text"].tolist()[:2] == [f"{P1}\n\n{P2}", P1]
    assert pd.isna(data.loc[12, "text"]) and pd.isna(data.loc[12, "title"])
    assert data["dateline"].tolist() == ["GENEVA (AP) —", "", "", ""]
    assert data.loc[10, "title"] == "Talks resume in Geneva"


def test_changes_table(docs):
    changes = clean_documents(docs).changes
    assert list(changes.columns) == ["doc_id", "column", "rule", "count"]
    assert changes["count"].dtype == "int64"
    assert (changes["count"] > 0).all()
    assert not changes.duplicated(["doc_id", "column", "rule"]).any()
    rows = set(changes[["doc_id", "column", "rule"]].itertuples(index=False, name=None))
    assert rows >= {
        ("n3", "text", "dateline_wire"),
        ("n3", "text", "advertisement"),
        ("n3", "title", "whitespace"),
        ("n1", "text", "newsletter_line"),
        ("n1", "text", "copyright_line"),
    }
    assert "n4" not in set(changes["doc_id"])
    # Rows follow the documents' order.
    assert changes["doc_id"].drop_duplicates().tolist() == ["n3", "n1"]


def test_summary(docs):
    summary = clean_documents(docs).summary()
    assert list(summary.columns) == ["rule", "documents", "count"]
    assert summary.set_index("rule").loc["advertisement", "documents"] == 1


def test_cleaning_twice_equals_cleaning_once(docs):
    once = clean_documents(docs)
    twice = clean_documents(once.data)
    pd.testing.assert_frame_equal(once.data, twice.data)
    assert twice.changes.empty


def test_only_requested_columns_are_cleaned(docs):
    result = clean_documents(docs, columns="text")
    assert result.data.loc[10, "title"] == "Talks resume  in Geneva"
    assert set(result.changes["column"]) == {"text"}


def test_missing_column_raises(docs):
    with pytest.raises(SchemaError, match="summary"):
        clean_documents(docs, columns=("summary",))
    with pytest.raises(SchemaError, match="doc_id"):
        clean_documents(docs.drop(columns="doc_id"))


def test_non_text_values_raise(docs):
    docs["title"] = docs["title"].astype(object)
    docs.loc[11, "title"] = 3.5
    with pytest.raises(SchemaError, match=r"row 2 holds 3\.5"):
        clean_documents(docs)


def test_empty_table():
    empty = pd.DataFrame({"doc_id": [], "title": [], "text": []}, dtype="str")
    result = clean_documents(empty)
    assert result.data.empty and "dateline" in result.data.columns
    assert result.changes.empty


def test_clean_text_requires_a_string():
    with pytest.raises(TypeError, match="str"):
        clean_text(None)


# ---------------------------------------------------------------------------- properties

FRAGMENTS = [
    "Advertisement", "READ MORE:", "Sign up here.", "Click here for more.", "\n", "\n\n", " ",
    "WASHINGTON (AP) — ", "Wed 05 Apr 2017 ", "(Photo: Jane Roe, AP)", "Getty Images",
    "Enlarge this image toggle caption A/B A/B", '"?', "\u00c3\u00a9", "Syrias", "dont", "’",
    "Like Follow Follow", "© 2017 Example", "Story highlights", "\t", ".", "A headline",
    "The minister spoke.", "Copyright 2018 X", "\r\n", "\u00a0", "Read more", "|", "/",
]  # fmt: skip

texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=12).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.booleans())
@example("\xa0\u00c2\u00a1", False)  # mojibake that ftfy sees only once the space is gone
def test_cleaning_is_total_trimmed_and_idempotent(text, stripped):
    cleaned, counts = clean_text(text, stripped_punctuation=stripped)
    assert cleaned == cleaned.strip()
    assert all(isinstance(n, int) and n > 0 for n in counts.values())
    again, more = clean_text(cleaned, stripped_punctuation=stripped)
    assert again == cleaned, more


# ---------------------------------------------------------------------------- real corpora


def _read(home, name):
    data = pd.read_csv(home / "news" / name / "articles.csv.gz", dtype=str, keep_default_na=False)
    return data.rename(columns={"id": "doc_id"})


@pytest.mark.corpora
def test_allsides_boilerplate_is_gone(real_home):
    data = _read(real_home, "allsides-abp")
    result = clean_documents(data)
    cleaned = result.data
    assert len(cleaned) == len(data) == 2417
    assert cleaned["doc_id"].tolist() == data["doc_id"].tolist()
    lines = [line for text in cleaned["text"] for line in text.split("\n")]
    assert sum(line.strip() == "Advertisement" for line in lines) == 0
    for marker in ("fb-pixel", "Enlarge this image", "toggle caption", "Skip to main content"):
        assert not cleaned["text"].str.contains(marker, regex=False).any(), marker
    # National Review's trailing "READ MORE:" lists.
    assert not cleaned["text"].str.contains(r"(?i)(?:^|\n)READ MORE:?\s*(?:\n|$)").any()
    before = data["text"].str.contains("Sign up", regex=False).sum()
    after = cleaned["text"].str.contains("Sign up", regex=False).sum()
    assert before >= 300 and after <= 5
    # Prose about signing up survives.
    prose = "to sign up for"
    assert (
        cleaned["text"].str.contains(prose, regex=False).sum()
        == data["text"].str.contains(prose, regex=False).sum()
    )


@pytest.mark.corpora
def test_fakes_datelines_and_apostrophes(real_home):
    data = _read(real_home, "fa-kes")
    result = clean_documents(data, stripped_punctuation=True)
    found = (result.data["dateline"] != "").mean()
    assert found >= 0.9  # 766 of 804 rows (95%) when this test was written
    rules = result.summary().set_index("rule")
    assert rules.loc["possessive", "count"] >= 500
    assert rules.loc["contraction", "count"] >= 40
    assert not result.data["text"].str.contains("SEND https", regex=False).any()
    assert not result.data["text"].str.contains("Like Follow Follow", regex=False).any()
    assert not result.data["text"].str.contains(r"\bdont\b").any()


@pytest.mark.corpora
def test_dai_mangled_quotes(real_home):
    data = _read(real_home, "dai-newsarticles-2017")
    result = clean_documents(data)
    before = data["text"].str.count(re.escape('"?')).sum()
    after = result.data["text"].str.count(re.escape('"?')).sum()
    assert before > 1000 and after <= 20
    # What remains is '"?' before a space: a question about a quotation, or undecidable.
    assert not result.data["text"].str.contains(r'"\?(?=[^\s)\]}"])').any()
