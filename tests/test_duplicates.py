"""Tests of framing.duplicates: exact and near duplicates, wire copies, determinism.

The inline articles are invented for these tests (the town, people and events do not exist).
Tests marked ``corpora`` check counts on the real corpora against their PROVENANCE.md files.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import framing.duplicates as duplicates
from framing.duplicates import DUPLICATE_COLUMNS, DUPLICATE_KINDS, find_duplicates, normalize_text
from framing.errors import SchemaError

# -- an invented agency story, in six paragraphs ------------------------------------------------
P1 = ("Heavy shelling hit the northern town of Tell Marun on Monday, killing at least eleven "
      "people and damaging the only working hospital in the district, residents and a local "
      "medical charity said.")
P2 = ("The charity said its staff had moved patients into the basement of the building after the "
      "second floor was struck shortly before dawn, and that two nurses were among the wounded.")
P3 = ("A spokesman for the regional council accused government forces of targeting civilian "
      "areas, a charge the defence ministry in the capital rejected in a brief statement read on "
      "state television.")
P4 = ("Aid convoys have not reached the town for three weeks because the main road to the coast "
      "has been closed by fighting, according to a United Nations official who asked not to be "
      "named.")
P5 = ("The official said food stocks in the market were running low and that bakeries had begun "
      "rationing bread, with queues forming before sunrise outside the few shops still open.")
P6 = ("Talks on a local truce collapsed last month after both sides accused each other of "
      "breaking an earlier agreement to let farmers harvest wheat along the front line.")

AGENCY_STORY = "BEIRUT (Reuters) - " + " ".join([P1, P2, P3, P4, P5, P6])
# Trimmed to three paragraphs, credit line dropped, two words edited.
TRIMMED_COPY = "BEIRUT - " + " ".join(
    [P1, P2, P3.replace("government forces", "government troops")]
)
# Own lead sentence, four paragraphs, a light edit.
EDITED_COPY = "Residents of Tell Marun spent another night in shelters. " + " ".join(
    [P1.replace("on Monday", "early on Monday"), P2, P3, P4]
)
# The same outlet runs the second half of the agency story later as a separate item.
SECOND_TRIM = " ".join([P4, P5, P6])

# -- independent coverage of the same event: same facts, names and numbers, own wording ---------
OWN_REPORT_1 = (
    "Eleven people died in Tell Marun when shells struck the town on Monday, according to the "
    "medical charity that runs its hospital. Our correspondent saw smoke over the eastern "
    "quarter and families carrying mattresses towards the mosque. The regional council blamed "
    "government forces; the defence ministry denied it. Nobody could say when the United "
    "Nations convoys stuck on the coast road would be allowed through, and shopkeepers said "
    "flour would last only a few more days."
)
OWN_REPORT_2 = (
    "The hospital in Tell Marun is the last one open in the district, and on Monday it was hit. "
    "Doctors there described carrying patients down the stairs in the dark while the shelling "
    "continued. Eleven dead is the charity's count; the council says the real figure is higher. "
    "In the capital, ministers talked about security, not about the wheat harvest or the truce "
    "that fell apart a month ago, which is what people in the town ask about most."
)
OWN_REPORT_3 = (
    "Two days after the shelling, the queues outside the bakeries of Tell Marun start before "
    "sunrise. The town council has set up a register of damaged homes and asked engineers to "
    "inspect the hospital, whose second floor is closed. Farmers who lost their harvest last "
    "month say they will plant again if the front line stays quiet until the autumn rains."
)

# -- a column reposted with different case, spacing and punctuation ---------------------------
COLUMN = (
    "Every winter the council promises to repair the bridge over the river, and every spring "
    "the floods prove it wrong. This year the engineers say the money is finally there. The "
    "people who cross it on foot each morning to reach the market have heard that before, and "
    "they will believe it when the lorries of gravel arrive at the eastern bank."
)
COLUMN_REPOST = COLUMN.upper().replace(",", " ;").replace(". ", ".\n\n  ")

# -- a news item and its updated version (new lead and headline, one more sentence) -----------
UPDATE_1 = (
    "Firefighters were still working on Sunday evening to contain a blaze at the timber yard "
    "near the old railway station. The fire started in a storage shed in the afternoon and "
    "spread to two neighbouring workshops, a spokeswoman for the fire service said. Nobody was "
    "injured. Residents of the streets around the yard were asked to keep their windows closed "
    "because of the smoke, and the station road will stay closed until the morning, a council "
    "member told Reuters."
)
UPDATE_2 = (
    "Firefighters brought a blaze at the timber yard near the old railway station under control "
    "late on Sunday. The fire started in a storage shed in the afternoon and spread to two "
    "neighbouring workshops, a spokeswoman for the fire service said. Nobody was injured. "
    "Residents of the streets around the yard were asked to keep their windows closed because "
    "of the smoke, and the station road will stay closed until the morning, a council member "
    "told Reuters. Investigators will examine the shed on Monday."
)

SHORT_TEXTS = ["", "   ", "-1", "Photo: AFP", "Read more on our site", "Read more on our site"]


def _documents() -> pd.DataFrame:
    rows = [
        # doc_id, outlet, published, text
        ("wire-agency", "Reuters", "2017-04-03 06:00", AGENCY_STORY),
        ("wire-courier", "Daily Courier", "2017-04-03 09:30", TRIMMED_COPY),
        ("wire-post", "Evening Post", "2017-04-03 18:00", EDITED_COPY),
        ("wire-courier-2", "Daily Courier", "2017-04-04 07:00", SECOND_TRIM),
        ("own-courier", "Daily Courier", "2017-04-03 12:00", OWN_REPORT_1),
        ("own-herald", "Morning Herald", "2017-04-03 20:00", OWN_REPORT_2),
        ("own-post", "Evening Post", "2017-04-05 08:00", OWN_REPORT_3),
        ("column-1", "Morning Herald", "2017-03-01 08:00", COLUMN),
        ("column-2", "Morning Herald", "2017-03-08 08:00", COLUMN_REPOST),
        ("fire-1", "Morning Herald", "2017-04-09 17:00", UPDATE_1),
        ("fire-2", "Morning Herald", "2017-04-09 23:00", UPDATE_2),
    ]
    rows += [
        (f"short-{i}", outlet, "2017-04-01 00:00", t)
        for i, (t, outlet) in enumerate(
            zip(SHORT_TEXTS, ["Daily Courier", "Daily Courier", "Evening Post", "Evening Post",
                              "Morning Herald", "Morning Herald"], strict=True)
        )
    ]
    data = pd.DataFrame(rows, columns=["doc_id", "outlet", "published", "text"])
    data["published"] = pd.to_datetime(data["published"])
    data["title"] = ""
    data["url"] = ""
    return data


@pytest.fixture
def docs() -> pd.DataFrame:
    return _documents()


@pytest.fixture
def flagged(docs) -> pd.DataFrame:
    return find_duplicates(docs).set_index("doc_id")


def _pair_similarity(a: str, b: str, size: int = 5) -> tuple[float, float]:
    """Jaccard index and containment of two texts' word shingles, computed independently."""
    def shingles(t):
        words = normalize_text(t).split()
        return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}

    sa, sb = shingles(a), shingles(b)
    shared = len(sa & sb)
    return shared / len(sa | sb), shared / min(len(sa), len(sb))


# -- what is found --------------------------------------------------------------------------------


def test_result_has_documented_columns_and_dtypes(flagged):
    result = flagged.reset_index()
    assert tuple(result.columns) == DUPLICATE_COLUMNS
    assert set(result["kind"]) <= set(DUPLICATE_KINDS)
    assert result["group_id"].dtype == "int64"
    assert result["similarity"].dtype == "float64"
    assert result["similarity"].between(0, 1).all()


def test_exact_duplicate_after_normalisation(flagged):
    row = flagged.loc["column-2"]
    assert row["kind"] == "exact_duplicate"
    assert row["duplicate_of"] == "column-1"
    assert row["similarity"] == 1.0
    assert "column-1" in row["detail"]
    assert "column-1" not in flagged.index  # the canonical document is not flagged


def test_near_duplicate_updated_version(flagged):
    jaccard, _ = _pair_similarity(UPDATE_1, UPDATE_2)
    assert 0.6 <= jaccard < 1  # the fixture is what it claims to be
    row = flagged.loc["fire-2"]
    assert row["kind"] == "near_duplicate"
    assert row["duplicate_of"] == "fire-1"
    assert row["similarity"] == pytest.approx(jaccard)
    # "told Reuters" in the body names a source, not the author: no agency.
    assert row["agency"] == ""


def test_trimmed_wire_copy_is_found_by_containment(flagged):
    jaccard, containment = _pair_similarity(AGENCY_STORY, TRIMMED_COPY)
    assert jaccard < 0.6 <= containment  # resemblance alone would miss the trimmed copy
    row = flagged.loc["wire-courier"]
    assert row["kind"] == "wire_copy"
    assert row["duplicate_of"] == "wire-agency"
    assert row["similarity"] == pytest.approx(containment)
    assert row["agency"] == "Reuters"
    assert flagged.loc["wire-post", "kind"] == "wire_copy"
    assert flagged.loc["wire-post", "duplicate_of"] == "wire-agency"


def test_second_copy_in_the_same_outlet_is_a_near_duplicate(flagged):
    # Daily Courier already ran the first half of the story; the second half is its second copy.
    row = flagged.loc["wire-courier-2"]
    assert row["kind"] == "near_duplicate"
    assert row["duplicate_of"] == "wire-agency"
    assert "wire-courier" in row["detail"]


def test_dropping_exact_and_near_keeps_one_document_per_outlet_and_group(docs, flagged):
    result = flagged.reset_index()
    members = pd.concat(
        [
            result[["doc_id", "group_id"]],
            result[["duplicate_of", "group_id"]].rename(columns={"duplicate_of": "doc_id"}),
        ]
    ).drop_duplicates()
    members = members.merge(docs[["doc_id", "outlet"]], on="doc_id")
    dropped = set(result.loc[result["kind"] != "wire_copy", "doc_id"])
    kept = members[~members["doc_id"].isin(dropped)]
    assert not kept.duplicated(["group_id", "outlet"]).any()
    assert set(kept["group_id"]) == set(members["group_id"])


def test_independent_reports_on_the_same_event_are_not_flagged(flagged):
    for doc_id in ("own-courier", "own-herald", "own-post"):
        assert doc_id not in flagged.index
    assert set(flagged["group_id"]) == {0, 1, 2}  # column, wire story, fire


def test_short_and_empty_texts_are_skipped(docs, flagged):
    assert not flagged.index.str.startswith("short-").any()
    # Lowering min_tokens makes the identical one-line texts count again; "" still has no words.
    low = find_duplicates(docs, min_tokens=1).set_index("doc_id")
    assert low.loc["short-5", "kind"] == "exact_duplicate"
    assert low.loc["short-5", "duplicate_of"] == "short-4"
    assert "short-1" not in low.index


def test_canonical_is_earliest_then_smallest_doc_id():
    data = pd.DataFrame(
        {
            "doc_id": ["c", "b", "a", "0"],
            "outlet": ["X", "X", "X", "X"],
            "published": pd.to_datetime(["2017-01-02", "2017-01-01", "2017-01-01", None]),
            "text": [COLUMN] * 4,
        }
    )
    result = find_duplicates(data).set_index("doc_id")
    assert sorted(result.index) == ["0", "b", "c"]  # undated documents come last
    assert set(result["duplicate_of"]) == {"a"}
    assert result["kind"].eq("exact_duplicate").all()


def test_boilerplate_shared_by_an_outlet_is_ignored():
    rng = np.random.default_rng(7)
    footer = " ".join(f"footer{i}" for i in range(150))
    texts = [" ".join(rng.choice([f"word{i}" for i in range(5000)], 40)) + " " + footer
             for _ in range(6)]
    data = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(6)],
            "outlet": "Template Times",
            "published": pd.date_range("2017-01-01", periods=6),
            "text": texts,
        }
    )
    assert find_duplicates(data).empty
    assert len(find_duplicates(data, boilerplate_df=None)) == 5  # the footer alone links them


def test_photo_credit_does_not_name_an_agency():
    text = "Photo: J. Doe/AFP " + " ".join([P4, P5, P6])
    data = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "outlet": ["Daily Courier", "Evening Post"],
            "published": pd.to_datetime(["2017-04-03", "2017-04-04"]),
            "text": [text, " ".join([P4, P5])],
        }
    )
    result = find_duplicates(data)
    assert result["kind"].tolist() == ["wire_copy"]
    assert result["agency"].tolist() == [""]


def test_thresholds_control_what_is_flagged(docs):
    _, containment = _pair_similarity(AGENCY_STORY, TRIMMED_COPY)
    strict = find_duplicates(docs, wire_threshold=min(1.0, containment + 0.01))
    assert "wire-courier" not in set(strict["doc_id"])
    assert "fire-2" not in set(find_duplicates(docs, near_threshold=0.99)["doc_id"])


# -- determinism ----------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(range(len(_documents()))))
def test_result_does_not_depend_on_row_order(permutation):
    data = _documents()
    expected = find_duplicates(data)
    shuffled = data.iloc[list(permutation)]
    pd.testing.assert_frame_equal(find_duplicates(shuffled), expected)


def test_same_seed_same_result_and_seed_does_not_change_exact_similarities(docs):
    first = find_duplicates(docs, random_state=0)
    pd.testing.assert_frame_equal(find_duplicates(docs, random_state=0), first)
    pd.testing.assert_frame_equal(find_duplicates(docs, random_state=12345), first)


def test_lsh_finds_what_exhaustive_comparison_finds(docs, monkeypatch):
    expected = find_duplicates(docs)

    def all_pairs(shingles, members, **kwargs):
        members = sorted(members)
        return [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]

    monkeypatch.setattr(duplicates, "_candidate_pairs", all_pairs)
    pd.testing.assert_frame_equal(find_duplicates(docs), expected)


def test_input_is_not_modified(docs):
    before = docs.copy()
    find_duplicates(docs.iloc[::-1])
    pd.testing.assert_frame_equal(docs, before)


# -- edge cases and errors ------------------------------------------------------------------------


def test_empty_table_gives_empty_result(docs):
    result = find_duplicates(docs.iloc[:0])
    assert result.empty
    assert tuple(result.columns) == DUPLICATE_COLUMNS


def test_custom_column_names(docs):
    renamed = docs.rename(columns={"text": "body", "outlet": "source", "published": "date"})
    pd.testing.assert_frame_equal(
        find_duplicates(renamed, text="body", outlet="source", published="date"),
        find_duplicates(docs),
    )


def test_missing_column_raises_schema_error(docs):
    with pytest.raises(SchemaError, match="text"):
        find_duplicates(docs.drop(columns="text"))


def test_repeated_doc_id_raises_schema_error(docs):
    with pytest.raises(SchemaError, match="duplicated id"):
        find_duplicates(pd.concat([docs, docs.iloc[:1]]))


def test_unparsed_dates_raise_schema_error(docs):
    with pytest.raises(SchemaError, match="datetime64"):
        find_duplicates(docs.assign(published=docs["published"].astype(str)))


@pytest.mark.parametrize(
    "kwargs",
    [{"near_threshold": 0}, {"wire_threshold": 1.5}, {"shingle_size": 0}, {"min_tokens": 0},
     {"boilerplate_df": 1}, {"num_perm": 1}, {"random_state": "seed"}, {"random_state": -1}],
)
def test_invalid_parameters_raise(docs, kwargs):
    with pytest.raises(ValueError):
        find_duplicates(docs, **kwargs)


def test_normalize_text():
    expected = "syrias army retook the town"
    assert normalize_text("  Syria’s  ARMY -- “retook” the town.\n") == expected
    assert normalize_text("") == ""


# -- the real corpora -----------------------------------------------------------------------------

CORPORA = ("allsides-abp", "basil", "dai-newsarticles-2017", "fa-kes")


def _load_real(home) -> pd.DataFrame:
    """All four corpora in one documents table; repeated ids (FA-KES) get a ``#n`` suffix."""
    frames = []
    for corpus in CORPORA:
        path = home / "news" / corpus / "articles.csv.gz"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        repeat = frame.groupby("id").cumcount()
        suffix = np.where(repeat > 0, "#" + (repeat + 1).astype(str), "")
        frame["doc_id"] = corpus + ":" + frame["id"] + suffix
        frame["corpus"] = corpus
        frame["published"] = pd.to_datetime(frame["date"])
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def real(real_home):
    data = _load_real(real_home)
    start = time.perf_counter()
    result = find_duplicates(data)
    seconds = time.perf_counter() - start
    return data, result.merge(data[["doc_id", "corpus"]], on="doc_id"), seconds


@pytest.mark.corpora
def test_real_allsides_romney_piece_is_an_exact_duplicate(real):
    data, result, _ = real
    allsides = data[data["corpus"] == "allsides-abp"]
    # PROVENANCE.md: "1 duplicated body text (the same Mitt Romney piece under two ids/titles)".
    twins = allsides[allsides["text"].duplicated(keep=False)]
    assert len(twins) == 2
    assert "Mitt Romney" in set(twins["outlet"])
    rows = result[result["doc_id"].isin(twins["doc_id"])]
    assert len(rows) == 1
    assert rows["kind"].item() == "exact_duplicate"
    assert rows["duplicate_of"].item() in set(twins["doc_id"])
    assert result.query("corpus == 'allsides-abp' and kind == 'exact_duplicate'").shape[0] == 1


@pytest.mark.corpora
def test_real_fakes_exact_duplicates_match_provenance(real):
    data, result, _ = real
    fakes = data[data["corpus"] == "fa-kes"]
    # PROVENANCE.md: "15 duplicated texts" = rows whose text repeats an earlier row's, in 12
    # groups (pandas duplicated()).
    assert fakes["text"].duplicated().sum() == 15
    assert fakes.loc[fakes["text"].duplicated(keep=False), "text"].nunique() == 12
    exact = result[(result["corpus"] == "fa-kes") & (result["kind"] == "exact_duplicate")]
    # Each group of identical texts yields (size - 1) exact duplicates, all in one group ...
    for _, group in fakes[fakes["text"].duplicated(keep=False)].groupby("text"):
        flagged = exact[exact["doc_id"].isin(group["doc_id"])]
        assert len(flagged) == len(group) - 1
        groups = result.loc[result["doc_id"].isin(group["doc_id"]), "group_id"]
        assert groups.nunique() == 1
    # ... plus one pair that differs only by a full stop after the headline (ids 1926478913,
    # 1926479251, Syrian National Coalition): 15 + 1 measured.
    assert len(exact) == 16
    assert "fa-kes:1926479251" in set(exact["doc_id"]) | set(exact["duplicate_of"])


@pytest.mark.corpora
def test_real_dai_duplicated_texts_are_the_empty_ones(real):
    data, result, _ = real
    dai = data[data["corpus"] == "dai-newsarticles-2017"]
    # PROVENANCE.md: "6 kept rows have empty text; 5 duplicated texts": the 5 are repeats of "".
    assert dai["text"].duplicated().sum() == 5
    assert (dai["text"] == "").sum() == 6
    assert set(dai.loc[dai["text"].duplicated(), "text"]) == {""}
    # Empty texts are skipped, so Dai has no exact duplicates and no flagged empty text.
    assert result.query("corpus == 'dai-newsarticles-2017' and kind == 'exact_duplicate'").empty
    empty_ids = set(dai.loc[dai["text"] == "", "doc_id"])
    assert not empty_ids & (set(result["doc_id"]) | set(result["duplicate_of"]))


@pytest.mark.corpora
def test_real_basil_has_no_duplicates(real):
    # PROVENANCE.md: "no duplicated texts"; the three outlets cover each event independently.
    _, result, _ = real
    assert not (result["corpus"] == "basil").any()


@pytest.mark.corpora
def test_real_run_is_fast_and_independent_of_row_order(real):
    data, result, seconds = real
    assert seconds < 30
    shuffled = data.sample(frac=1, random_state=3)
    again = find_duplicates(shuffled).merge(data[["doc_id", "corpus"]], on="doc_id")
    pd.testing.assert_frame_equal(again, result)
