"""What the report says: sections of text, tables and figures built from a study's results.

Sections are plain data (:class:`Section` holding :class:`Block` items) so that the HTML and the
Markdown renderers show the same content. Every number in a block comes from one of the
study's tables (written to ``tables/*.csv``); the text only arranges them.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["Block", "Section", "build_sections", "citation_text"]

ALPHA = 0.05


@dataclass
class Block:
    """One piece of a section: ``kind`` is ``text``, ``list``, ``table``, ``figure`` or
    ``evidence``; ``table`` names the CSV a displayed table comes from."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    frame: pd.DataFrame | None = None
    table: str = ""
    figure: str = ""
    caption: str = ""


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def text(self, text: str) -> None:
        self.blocks.append(Block("text", text=text))

    def list(self, items) -> None:
        self.blocks.append(Block("list", items=list(items)))

    def table(self, frame: pd.DataFrame, table: str, caption: str = "") -> None:
        self.blocks.append(Block("table", frame=frame.reset_index(drop=True), table=table,
                                 caption=caption))

    def figure(self, figures: dict, name: str) -> None:
        if name in figures:
            self.blocks.append(Block("figure", figure=name, caption=figures[name].caption))


def _shares(table: pd.DataFrame, feature_kind: str | None = None) -> pd.DataFrame:
    rows = table[(table["kind"] == "share") & (table["scope"] == "all")]
    if feature_kind is not None:
        rows = rows[rows["feature_kind"] == feature_kind]
    return rows


def _interval(rows: pd.DataFrame) -> pd.Series:
    return (rows["estimate"].map("{:.2f}".format) + " [" + rows["ci_low"].map("{:.2f}".format)
            + ", " + rows["ci_high"].map("{:.2f}".format) + "]")


def _by_group(rows: pd.DataFrame, column: str = "feature") -> pd.DataFrame:
    """Estimates with intervals as a feature x group table."""
    shown = rows.assign(value=_interval(rows))
    wide = shown.pivot_table(index=column, columns="group", values="value", aggfunc="first")
    n = rows.groupby("group")["n_docs"].max()
    wide.columns = [f"{g} (n={n[g]})" for g in wide.columns]
    return wide.reset_index()


def _significant(table: pd.DataFrame, kinds=("pairwise", "regression")) -> pd.DataFrame:
    rows = table[table["kind"].isin(kinds) & (table["p_adjusted"] < ALPHA)]
    cols = ["scope", "kind", "feature_kind", "feature", "group", "reference", "estimate",
            "ci_low", "ci_high", "p_value", "p_adjusted"]
    return rows[cols].sort_values(["p_adjusted", "feature"], kind="stable")


def build_sections(result, figures: dict, *, cards) -> list[Section]:
    """The report's sections, in order."""
    config, stages, tables = result.config, result.stages, result.tables
    sections = []

    # -------------------------------------------------------------------- corpus
    s = Section("corpus", "Corpus and coverage")
    acc = dict(zip(tables["accounting"]["measure"], tables["accounting"]["value"], strict=True))
    docs = stages["corpus"].objects["documents"]
    event_docs = stages["corpus"].objects["event_documents"]
    s.text(f"{acc['rows_read']:,} rows were read from {', '.join(config['corpus']['corpora'])}; "
           f"{acc['documents']:,} documents from {acc['outlets']} outlets remain in the study "
           f"window ({config['corpus']['start'] or 'start'} to {config['corpus']['end'] or 'end'})"
           f" and {acc['dropped']:,} rows were left out, each with its reason below. "
           f"{len(event_docs)} documents cover a study event and belong to an outlet group of "
           f"the `{config['groups']['grouping']}` grouping; they are the units of every "
           "comparison.")
    s.table(tables["accounting"], "accounting", "Rows read, kept, dropped and flagged.")
    s.table(tables["exclusions"], "exclusions",
            "Excluded (dropped) and flagged rows by reason; flagged rows stay in the corpus.")
    by_outlet = tables["documents_by_outlet"]
    events_cols = [c for c in by_outlet.columns if c in set(config["events"]["ids"])]
    shown = by_outlet[(by_outlet["outlet_group"] != "") & (by_outlet[events_cols].sum(axis=1) > 0)]
    s.table(shown, "documents_by_outlet",
            "Documents per outlet in the window and per study event (grouped outlets with event "
            "documents; the CSV lists every outlet).")
    s.figure(figures, "coverage_timeline")
    sections.append(s)

    # -------------------------------------------------------------------- events
    s = Section("events", "Events")
    s.text("Documents are assigned to the study's events by the seeded event matcher (event "
           "phrases and entities, weighted by the distance to the event's window); a document "
           "matching several events keeps its best-scoring one.")
    s.table(tables["events"], "events", "Study events and the documents assigned to them.")
    s.table(tables["events_by_group"].pivot_table(index="event_id", columns="outlet_group",
                                                  values="documents", fill_value=0)
            .reset_index().rename_axis(columns=None), "events_by_group",
            "Event documents per outlet group.")
    sections.append(s)

    # -------------------------------------------------------------------- topics
    if "topics" in tables:
        t = config["topics"]
        s = Section("topics", "Topics and inductive frames")
        fitted_on = ("the event documents" if t["scope"] == "events"
                     else "every document of the window")
        s.text(f"A {t['method'].upper()} topic model with K = {t['k']} was fitted on {fitted_on}"
               f" (seed {config.seed}). Topic labels are the top FREX terms; NPMI is the "
               "document co-occurrence coherence of the top terms; exclusivity is the share of "
               "a term's weight in its topic. Inductive frames are communities of the topic "
               "co-occurrence network (Louvain; Walter & Ophir's ANTMN).")
        if "topic_selection" in tables:
            sel = tables["topic_selection"].pivot_table(index="k", columns="metric",
                                                        values="mean").reset_index()
            s.figure(figures, "topic_selection")
            s.table(sel.rename_axis(columns=None), "topic_selection",
                    "Mean of each diagnostic over seeds by K.")
        shown = tables["topics"][["topic", "label", "prob", "npmi", "exclusivity", "prevalence"]]
        s.table(shown.rename(columns={"prob": "top terms"}), "topics",
                "Topics: label, most probable terms, coherence, exclusivity and prevalence.")
        s.figure(figures, "topic_prevalence")
        prevalence = tables["topic_prevalence"]
        sig = _significant(prevalence)
        n_tests = int(prevalence["kind"].isin(["pairwise", "regression"]).sum())
        s.table(sig, "topic_prevalence",
                f"Topic prevalence contrasts with adjusted p < {ALPHA} "
                f"({config['compare']['correction']} within each family): {len(sig)} of "
                f"{n_tests}.")
        s.table(tables["inductive_frames"], "inductive_frames",
                "Inductive frames: topic communities, their labels and prevalence.")
        s.figure(figures, "topic_network")
        prev = tables["inductive_frame_prevalence"]
        s.table(_by_group(prev[(prev["kind"] == "prevalence") & (prev["scope"] == "all")]),
                "inductive_frame_prevalence",
                "Mean loading of each inductive frame by group, 95% bootstrap intervals.")
        sections.append(s)

    # -------------------------------------------------------------------- frames
    s = Section("frames", "Deductive frames")
    if "frames_syria_2017" in tables:
        syria = tables["frames_syria_2017"]
        s.text("The `syria-2017` codebook codes whether a document likens the US response to "
               "the 2003 invasion of Iraq (with the voice that draws the analogy and the "
               "document's stance), and whom it blames for the chemical attack. Shares are of "
               "event documents, pooled over events, with 95% Wilson intervals.")
        s.figure(figures, "iraq_analogy")
        iraq = _shares(syria)
        iraq = iraq[iraq["feature"] == "iraq_2003_analogy"]
        s.table(_by_group(iraq), "frames_syria_2017", "Iraq 2003 analogy: share of documents.")
        s.figure(figures, "blame")
        s.table(_by_group(_shares(syria, "blame")), "frames_syria_2017",
                "Blame attribution: share of documents per label.")
        omni = syria[(syria["kind"] == "omnibus") & (syria["scope"] == "all")]
        s.table(omni[["feature_kind", "feature", "statistic", "estimate", "ci_low", "ci_high",
                      "p_value", "p_adjusted", "method"]], "frames_syria_2017",
                "Tests of association between outlet group and each code (pooled).")
    for book in ("generic", "policy"):
        name = f"frames_{book}"
        if name in tables:
            s.figure(figures, name)
            rows = _shares(tables[name], "frame")
            s.table(_by_group(rows), name, f"{book.capitalize()} frames: share of documents "
                    "with the frame, 95% Wilson intervals.")
    examples = tables.get("evidence_examples")
    if examples is not None and not examples.empty:
        s.blocks.append(Block("evidence", frame=examples, table="evidence_examples",
                              caption="Example evidence sentences (a seeded draw of up to "
                              f"{config['frames']['evidence_per_frame']} per frame and label)."))
    sections.append(s)

    if "classifier_training" in tables:
        sections.append(_classifier_section(result, figures))

    # -------------------------------------------------------------------- comparisons
    s = Section("comparisons", "Outlet comparisons")
    comparison_tables = [k for k in tables if k.startswith("frames_") or k in (
        "topic_prevalence", "inductive_frame_prevalence", "tone")]
    sig = pd.concat([_significant(tables[k]).assign(table=k) for k in comparison_tables],
                    ignore_index=True)
    total = sum(int(tables[k]["kind"].isin(["pairwise", "regression"]).sum())
                for k in comparison_tables)
    s.text(f"{len(sig)} of {total} contrasts between groups have an adjusted p-value below "
           f"{ALPHA} ({config['compare']['correction']} adjustment within each family of "
           "tests). Regression rows use event fixed effects and standard errors clustered by "
           "outlet; with fewer than 20 outlets they are flagged in the warnings below.")
    s.table(sig, "(several)", "Contrasts with adjusted p < 0.05, by table.")
    s.figure(figures, "outlet_similarity")
    sections.append(s)

    if "distinguishing_words" in tables:
        s = Section("words", "Distinguishing words")
        s.figure(figures, "distinguishing_words")
        w = tables["distinguishing_words"]
        s.table(w[["group", "reference", "feature", "n_docs", "estimate", "statistic",
                   "p_adjusted"]], "distinguishing_words",
                "Top words per group: weighted log-odds (estimate) and z statistic.")
        sections.append(s)
    if "tone" in tables:
        s = Section("tone", "Tone toward actors")
        s.figure(figures, "tone")
        tone = tables["tone"]
        mean = tone[tone["kind"] == "mean"]
        s.table(_by_group(mean), "tone", "Mean document tone toward each actor by group "
                "(VADER compound in [-1, 1]), 95% t intervals.")
        sections.append(s)

    sections.append(_methods(result))
    sections.append(_limitations(result, event_docs, docs))
    sections.append(_citation(cards))
    return sections


def _classifier_section(result, figures) -> Section:
    tables, params = result.tables, result.params["FrameClassifier"]
    s = Section("classifier", "Classifier frames")
    blocks = " + ".join(result.config["classifier"]["features"])
    s.text(f"A FrameClassifier (TF-IDF {blocks} features, "
           "class-weighted logistic "
           f"regression, C = {params['C_']}, per-frame thresholds tuned on out-of-fold "
           f"predictions) was trained on {params['training_documents']} documents of "
           f"`{params['training']}` and applied to the event documents. The training scheme is "
           "not the study's own: how well it transfers is measured on the study's hand-coded "
           "documents below, and shares are corrected with those error rates.")
    s.table(tables["classifier_training"], "classifier_training",
            "Frames, training documents per frame and the tuned probability thresholds.")
    if "classifier_validation" in tables:
        s.table(tables["classifier_validation"], "classifier_validation",
                "Agreement with the hand codes of study documents: precision, recall and F1 "
                "with 95% bootstrap intervals; micro and macro averages in the last rows.")
        s.table(tables["classifier_error_rates"], "classifier_error_rates",
                "Sensitivity and specificity per frame on the hand-coded documents. Where "
                "sensitivity + specificity - 1 is near 0 the classifier carries almost no "
                "information about the frame and no correction can recover its share.")
        s.figure(figures, "classifier_shares")
        shares = tables["classifier_shares"]
        s.table(shares[["frame", "group", "method", "n_docs", "estimate", "ci_low",
                        "ci_high"]], "classifier_shares",
                "Naive and corrected shares of frames with enough hand-coded positives and "
                "negatives.")
    else:
        s.table(tables["classifier_frames"], "classifier_frames",
                "Documents per group and predicted frame (no validation codes given).")
    return s


def _methods(result) -> Section:
    config, params = result.config, result.params
    c = config["corpus"]
    s = Section("methods", "Methods")
    s.text(f"Corpora {', '.join(c['corpora'])} were loaded with framing's corpus cards "
           "(boilerplate removal, duplicate and wire-copy detection); documents published "
           f"from {c['start'] or 'the first day'} to {c['end'] or 'the last day'} were kept and "
           f"documents flagged as {', '.join(c['drop_flagged']) or 'nothing'} were left out.")
    s.text(f"Events {', '.join(config['events']['ids'])} were assigned with the seeded event "
           f"matcher; outlets were grouped by the `{config['groups']['grouping']}` grouping "
           f"(reference group: {config['groups']['reference'] or 'none, all pairs'}; groups "
           f"with fewer than {config['groups']['min_docs']} documents in a scope are left out of "
           "its tests).")
    if "TopicModel" in params:
        p = params["TopicModel"]
        s.text(f"Topics: TopicModel(method={p.get('method')!r}, n_topics={p.get('n_components')}, "
               f"min_df={p.get('min_df')}, max_df={p.get('max_df')}, "
               f"random_state={p.get('random_state')}); prevalence by group with "
               f"{config['compare']['n_resamples']} bootstrap resamples and an OLS with event "
               "fixed effects; inductive frames by TopicNetworkFrames.")
    s.text(f"Deductive frames: codebooks {', '.join(config['frames']['codebooks'])} applied "
           "sentence by sentence (rules over stems and phrases, proximity, negation, hedging "
           "and attribution) with every positive decision's evidence kept. Shares by group: "
           "Wilson intervals, chi-square or Fisher tests (Monte Carlo for larger tables), "
           "Newcombe intervals for differences, logistic regressions with event fixed effects "
           f"and outlet-clustered standard errors; {config['compare']['correction']} adjustment "
           f"within each family; confidence level {config['compare']['confidence']}.")
    s.text("Distinguishing words: weighted log-odds with an informative Dirichlet prior "
           "(Monroe, Colaresi & Quinn 2008). Tone: VADER compound scores of the words around "
           "each actor mention, with the actor's own name masked. Outlet similarity: "
           "Jensen-Shannon divergence of topic distributions with bootstrap intervals and "
           "permutation tests.")
    s.text("Every parameter and seed is in `manifest.json`; the config that produced this "
           f"report is `{config.source}` and is copied there verbatim.")
    return s


def _limitations(result, event_docs, docs) -> Section:
    s = Section("limitations", "Limitations")
    n = event_docs.groupby(["event_id", "outlet_group"]).size()
    small = n[n < 10]
    items = []
    if len(small):
        items.append("Small cells: " + "; ".join(f"{g} in {e}: {k} documents"
                                                   for (e, g), k in small.items())
                     + ". Intervals for these groups are wide and tests may leave them out.")
    outlets = event_docs.groupby("outlet_group")["outlet"].nunique()
    items.append("Outlets per group: " + ", ".join(f"{g} {k}" for g, k in outlets.items())
                 + ". Comparisons describe these outlets' documents, not every outlet of a kind; "
                 "bootstrap intervals resample documents, regressions cluster by outlet.")
    items.append(f"{int((docs['event_id'] != '').sum() - len(event_docs))} event documents "
                 "have no outlet group and are not compared.")
    items.append("Codebook and event codes are automatic measures with error: read the "
                 "validation figures in the package documentation before interpreting small "
                 "differences.")
    s.list(items)
    if result.warnings:
        s.text("Warnings issued while the study ran:")
        s.list(result.warnings)
    return s


def citation_text() -> tuple[str, str]:
    """How to cite framing: (text, source), from CITATION.cff when it can be found."""
    import yaml

    here = Path(__file__).resolve()
    for folder in (Path.cwd(), *here.parents):
        path = folder / "CITATION.cff"
        if path.is_file():
            cff = yaml.safe_load(path.read_text(encoding="utf-8"))
            authors = ", ".join(
                a.get("name") or " ".join(x for x in (a.get("given-names"),
                                                      a.get("family-names")) if x)
                for a in cff.get("authors", []))
            parts = [authors, f"({cff.get('date-released', '')})".replace("()", ""),
                     f"{cff.get('title', 'framing')} (version {cff.get('version', '')}).",
                     cff.get("url") or cff.get("repository-code") or ""]
            return " ".join(p for p in parts if p), str(path.name)
    version = importlib.metadata.version("framing")
    return (f"The framing developers. framing (version {version}). "
            "https://github.com/framing-project/framing", "package metadata")


def _citation(cards) -> Section:
    s = Section("cite", "How to cite")
    text, source = citation_text()
    s.text(f"The software (from {source}):")
    s.list([text])
    s.text("The data:")
    s.list([f"{card.name}: {card.citation} (license: {card.license})" for card in cards])
    return s
