"""Run a study config stage by stage: corpus, events, topics, frames, comparisons.

Each stage is a function of the config and the previous stages' outputs that returns a
:class:`StageOutput` (named tidy tables, figures and the parameters of every estimator it fitted).
:func:`run_study` runs them in order with timings; notebooks call the stages one at a time.
Stages only compose the public API (``load_corpus``, ``assign_events``, ``TopicModel``,
``code_documents``, ``compare_shares`` ...), so every table of a report can be rebuilt by hand.

Comparisons use the *event documents*: documents of the study window assigned to one of the
study's events (their best-scoring event) whose outlet falls in a group of the study's grouping.
The topic model is fitted on every document of the window, so that topics describe the news
around the events and not only the events themselves.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .compare import compare_shares
from .corpus import Corpus, load_corpus
from .divergence import compare_distributions
from .errors import ConfigError
from .events import assign_events, load_events
from .frames import code_documents, load_codebook
from .frames.topic_network import TopicNetworkFrames
from .groups import assign_groups, load_groupings
from .study import StudyConfig, load_study
from .timeline import coverage_over_time
from .tone import actor_tone, compare_tone, load_actors
from .topics import TopicModel, select_k, topic_prevalence
from .words import distinguishing_words

__all__ = ["StageOutput", "StudyResult", "STAGES", "run_study", "stage_corpus", "stage_events",
           "stage_topics", "stage_frames", "stage_classifier", "stage_words", "stage_similarity",
           "stage_tone", "stage_timeline"]

logger = logging.getLogger(__name__)


@dataclass
class StageOutput:
    """What a stage produced: tables (every number the report shows), figures, estimators'
    parameters, objects for later stages and notebooks, and the warnings it issued."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    params: dict[str, dict] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class StudyResult:
    """All stages of a study: ``stages[name]`` is a :class:`StageOutput`."""

    config: StudyConfig
    stages: dict[str, StageOutput]
    timings: dict[str, float]

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {k: v for s in self.stages.values() for k, v in s.tables.items()}

    @property
    def figures(self) -> dict[str, Any]:
        return {k: v for s in self.stages.values() for k, v in s.figures.items()}

    @property
    def params(self) -> dict[str, dict]:
        return {k: v for s in self.stages.values() for k, v in s.params.items()}

    @property
    def warnings(self) -> list[str]:
        return list(dict.fromkeys(w for s in self.stages.values() for w in s.warnings))

    def __getitem__(self, stage: str) -> StageOutput:
        return self.stages[stage]


class _Recorder:
    """Collect a stage's warnings (deduplicated) instead of printing them one by one."""

    def __init__(self, out: StageOutput):
        self.out = out

    def __enter__(self):
        self._catch = warnings.catch_warnings(record=True)
        self._caught = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        for w in self._caught:
            if issubclass(w.category, (DeprecationWarning, FutureWarning)):
                continue
            message = f"{w.category.__name__}: {w.message}"
            if message not in self.out.warnings:
                self.out.warnings.append(message)
        return False


def _comparison_options(config: StudyConfig) -> dict:
    c = config["compare"]
    return {"correction": c["correction"], "confidence": c["confidence"],
            "n_resamples": c["n_resamples"], "random_state": config.seed}


def _reference(config: StudyConfig, docs: pd.DataFrame) -> str | None:
    reference = config["groups"]["reference"] or None
    return reference if reference in set(docs["outlet_group"]) else None


# ---------------------------------------------------------------------------------- stages
def stage_corpus(config: StudyConfig, *, data_home=None) -> StageOutput:
    """Load the corpora, keep the study window, drop the flagged duplicates, attach events and
    outlet groups.

    Objects: ``corpus`` (:class:`~framing.Corpus` with the full exclusion log), ``documents``
    (every document of the window, with ``event_id`` and ``outlet_group``; ``""`` where none),
    ``event_documents`` (those the comparisons use), ``events`` (the event definitions).
    """
    out = StageOutput()
    c = config["corpus"]
    with _Recorder(out):
        corpus: Corpus = load_corpus(config.corpus_sources(), data_home=data_home)
        published = corpus.documents["published"]
        if c["start"]:
            corpus = corpus.filter(published >= pd.Timestamp(c["start"]), reason="before_window",
                                   detail=f"published before {c['start']}")
        if c["end"]:
            corpus = corpus.filter(corpus.documents["published"] <= pd.Timestamp(c["end"]),
                                   reason="after_window", detail=f"published after {c['end']}")
        log = corpus.exclusions
        for kind in c["drop_flagged"]:
            flagged = set(log.loc[(log["action"] == "flagged") & (log["reason"] == kind),
                                  "doc_id"])
            corpus = corpus.filter(~corpus.documents["doc_id"].isin(flagged), reason=kind,
                                   detail=f"flagged {kind}; left out of the study")
        corpus.check_accounting()

        definitions = load_events(config.path("events", "definitions"))
        by_id = {e.id: e for e in definitions}
        missing = [e for e in config["events"]["ids"] if e not in by_id]
        if missing:
            raise ConfigError(f"{config.source}: events.ids {missing} are not defined; known "
                              f"events: {sorted(by_id)}.")
        events = tuple(by_id[e] for e in config["events"]["ids"])
        docs = corpus.documents
        matches = assign_events(docs, events=events)
        best = (matches[matches["event_id"] != ""]
                .sort_values(["score", "event_id"], ascending=[False, True], kind="stable")
                .drop_duplicates("doc_id"))
        docs = docs.merge(best[["doc_id", "event_id"]], on="doc_id", how="left")
        docs["event_id"] = docs["event_id"].fillna("")
        groupings = load_groupings(config.path("groups", "definitions"))
        grouping = config["groups"]["grouping"]
        if grouping not in groupings:
            raise ConfigError(f"{config.source}: groups.grouping {grouping!r} is not defined; "
                              f"known groupings: {sorted(groupings)}.")
        docs = assign_groups(docs, grouping=groupings[grouping])
    event_docs = docs[(docs["event_id"] != "") & (docs["outlet_group"] != "")]
    out.objects.update(data_home=data_home, corpus=corpus, documents=docs,
                       event_documents=event_docs.reset_index(drop=True), events=events,
                       grouping=groupings[grouping])

    summary = corpus.summary()
    out.tables["accounting"] = summary["accounting"]
    out.tables["exclusions"] = summary["exclusions"]
    out.tables["cleaning"] = summary["cleaning"]
    out.tables["documents_by_outlet"] = _documents_by_outlet(docs)
    out.tables["event_documents"] = (
        event_docs.groupby(["outlet_group", "outlet", "event_id"]).size().rename("documents")
        .reset_index().sort_values(["outlet_group", "outlet", "event_id"], ignore_index=True))
    return out


def _documents_by_outlet(docs: pd.DataFrame) -> pd.DataFrame:
    """Documents per outlet: in the window, assigned to each event, and the outlet's group."""
    table = (docs.assign(event_id=docs["event_id"].replace("", "(no study event)"))
             .groupby(["outlet", "outlet_group", "event_id"]).size().unstack(fill_value=0))
    table.insert(0, "window", table.sum(axis=1))
    table = table.reset_index().rename_axis(columns=None)
    return table.sort_values(["outlet_group", "window", "outlet"], ascending=[True, False, True],
                             ignore_index=True)


def stage_events(config: StudyConfig, corpus: StageOutput) -> StageOutput:
    """Events found: documents, outlets and groups per event and day."""
    out = StageOutput()
    docs = corpus.objects["documents"]
    assigned = docs[docs["event_id"] != ""]
    rows = []
    for event in corpus.objects["events"]:
        mine = assigned[assigned["event_id"] == event.id]
        grouped = mine[mine["outlet_group"] != ""]
        rows.append({"event_id": event.id, "name": event.name,
                     "date": event.date.strftime("%Y-%m-%d"), "documents": len(mine),
                     "outlets": mine["outlet"].nunique(),
                     "grouped_documents": len(grouped),
                     "groups": grouped["outlet_group"].nunique(),
                     "first": _day(mine["published"].min()), "last": _day(mine["published"].max())})
    out.tables["events"] = pd.DataFrame(rows)
    by_group = (assigned.assign(outlet_group=assigned["outlet_group"].replace("", "(no group)"))
                .groupby(["event_id", "outlet_group"]).size().rename("documents").reset_index())
    out.tables["events_by_group"] = by_group
    out.params["assign_events"] = {"events": [e.id for e in corpus.objects["events"]],
                                   "assignment": "best-scoring study event per document"}
    return out


def _day(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def stage_topics(config: StudyConfig, corpus: StageOutput) -> StageOutput:
    """Topic model of the window with diagnostics, prevalence by group, inductive frames."""
    out = StageOutput()
    t = config["topics"]
    if not t["enabled"]:
        return out
    docs = corpus.objects["documents"]
    if t["scope"] == "events":
        docs = docs[docs["event_id"] != ""].reset_index(drop=True)
    event_docs = corpus.objects["event_documents"]
    seed = config.seed
    opts = _comparison_options(config)
    with _Recorder(out):
        if t["select_k"]:
            selection = select_k(docs, ks=t["select_k"], seeds=t["select_seeds"],
                                 method=t["method"], n_terms=t["n_terms"], min_df=t["min_df"],
                                 max_df=t["max_df"])
            means = selection.means()
            # Fit times vary from run to run; they stay in the log, not in the tables.
            out.tables["topic_selection"] = means[means["metric"] != "fit_seconds"].reset_index(
                drop=True)
            out.objects["selection"] = selection
        model = TopicModel(t["k"], method=t["method"], min_df=t["min_df"], max_df=t["max_df"],
                           random_state=seed).fit(docs)
        labels = model.topic_labels(n_terms=t["n_terms"])
        diagnostics = model.diagnostics(docs, n_terms=t["n_terms"])
        doc_topics = model.doc_topics()
        names = {row.topic: f"{row.topic}: {row.label}" for row in labels.itertuples()}
        prevalence = topic_prevalence(doc_topics, documents=event_docs, by="outlet_group",
                                      within="event_id", labels=names,
                                      reference=_reference(config, event_docs),
                                      min_docs=config["groups"]["min_docs"], **opts)
        network = TopicNetworkFrames(backbone_alpha=t["backbone_alpha"] or None,
                                     resolution=t["resolution"], labels=names,
                                     random_state=seed).fit(doc_topics)
        frame_loadings = network.doc_frames(doc_topics)
        frame_names = {row.frame: f"{row.frame}: {row.label}"
                       for row in network.frames_.itertuples()}
        frame_prevalence = topic_prevalence(frame_loadings, documents=event_docs,
                                            by="outlet_group", within="event_id",
                                            feature="frame", value="score", labels=frame_names,
                                            reference=_reference(config, event_docs),
                                            min_docs=config["groups"]["min_docs"], **opts)
    extra = [c for c in diagnostics.columns if c == "topic" or c not in labels.columns]
    topics = labels.merge(diagnostics[extra], on="topic", how="left")
    out.params["topic_prevalence"] = _jsonable(prevalence.params)
    out.params["inductive_frame_prevalence"] = _jsonable(frame_prevalence.params)
    if "selection" in out.objects:
        out.params["select_k"] = {"ks": t["select_k"], "seeds": t["select_seeds"],
                                  "method": t["method"], "n_terms": t["n_terms"],
                                  "min_df": t["min_df"], "max_df": t["max_df"]}
    out.tables["topics"] = topics
    out.tables["topic_prevalence"] = _tidy(prevalence)
    out.tables["inductive_frames"] = network.frames_
    out.tables["topic_network"] = network.topic_frames_
    out.tables["inductive_frame_prevalence"] = _tidy(frame_prevalence)
    out.objects.update(model=model, doc_topics=doc_topics, prevalence=prevalence,
                       network=network, frame_prevalence=frame_prevalence, topic_names=names)
    out.params["TopicModel"] = _params(model)
    out.params["TopicNetworkFrames"] = _params(network)
    return out


def _tidy(result) -> pd.DataFrame:
    """A comparison result's table with its row kinds (``share``, ``test``, ``pairwise`` ...) as
    a ``kind`` column, so that the CSV can be filtered without the result object."""
    table = result.table.copy()
    table.insert(1, "kind", result.kinds.to_numpy())
    return table


def _params(estimator) -> dict:
    """An estimator's parameters as JSON-friendly values."""
    return _jsonable(estimator.get_params(deep=False))


def _jsonable(params) -> dict:
    """Parameters as JSON-friendly values (others as their repr), sorted by name."""
    simple = (int, float, str, bool, type(None))
    return {str(k): (v if isinstance(v, simple) else list(v) if isinstance(v, (list, tuple))
                     and all(isinstance(x, simple) for x in v) else repr(v))
            for k, v in sorted(dict(params).items())}


def stage_frames(config: StudyConfig, corpus: StageOutput) -> StageOutput:
    """Deductive codebooks on the event documents, shares by group, example evidence."""
    out = StageOutput()
    event_docs = corpus.objects["event_documents"]
    opts = _comparison_options(config)
    n_examples = config["frames"]["evidence_per_frame"]
    tables, evidence = [], []
    with _Recorder(out):
        for name in config["frames"]["codebooks"]:
            book = load_codebook(name)
            result = code_documents(event_docs, codebook=book)
            frames = result.table.assign(codebook=book.name)
            tables.append(frames)
            evidence.append(result.evidence.assign(codebook=book.name))
            shares = compare_shares(frames, feature="frame", value="label", by="outlet_group",
                                    documents=event_docs, within="event_id",
                                    reference=_reference(config, event_docs), **opts)
            out.tables[f"frames_{_slug(book.name)}"] = _tidy(shares)
            out.objects[f"shares_{_slug(book.name)}"] = shares
            out.params[f"compare_shares {book.name}"] = _jsonable(shares.params)
            out.params[f"codebook {book.name}"] = {"codebook": book.name,
                                                   "version": str(getattr(book, "version", "")),
                                                   "frames": list(book.frames)}
    doc_frames = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    out.objects["doc_frames"] = doc_frames
    out.tables["frame_labels"] = _label_counts(doc_frames, event_docs)
    out.tables["evidence_examples"] = _evidence_examples(
        pd.concat(evidence, ignore_index=True) if evidence else pd.DataFrame(), doc_frames,
        event_docs, n_examples, config.seed)
    return out


def _slug(name: str) -> str:
    return name.replace("-", "_").replace(" ", "_")


def _label_counts(doc_frames: pd.DataFrame, docs: pd.DataFrame) -> pd.DataFrame:
    """Documents per codebook, frame, outlet group and label."""
    if doc_frames.empty:
        return pd.DataFrame(columns=["codebook", "frame", "outlet_group", "label", "documents"])
    merged = doc_frames.merge(docs[["doc_id", "outlet_group"]], on="doc_id")
    return (merged.groupby(["codebook", "frame", "outlet_group", "label"]).size()
            .rename("documents").reset_index())


def _evidence_examples(evidence: pd.DataFrame, doc_frames: pd.DataFrame, docs: pd.DataFrame,
                       n: int, seed: int) -> pd.DataFrame:
    """Up to ``n`` evidence sentences per codebook, frame and label, from different documents
    (a seeded draw, so that the examples are not always the first articles of the corpus);
    ``sentence`` is the sentence's index in its document (0 = title), ``text`` the sentence."""
    columns = ["codebook", "frame", "label", "doc_id", "outlet", "outlet_group", "title",
               "sentence", "text"]
    if evidence.empty or n == 0:
        return pd.DataFrame(columns=columns)
    positive = doc_frames[~doc_frames["label"].isin(["absent", "none"])]
    ev = evidence.merge(positive[["doc_id", "codebook", "frame", "label"]],
                        on=["doc_id", "codebook", "frame"])
    ev = ev.drop_duplicates(["codebook", "frame", "doc_id"])
    ev = ev.merge(docs[["doc_id", "outlet", "outlet_group", "title"]], on="doc_id")
    rng = np.random.default_rng(seed)
    ev = ev.assign(_draw=rng.random(len(ev)))
    ev = (ev.sort_values(["codebook", "frame", "label", "_draw"], kind="stable")
          .groupby(["codebook", "frame", "label"], sort=False).head(n))
    return ev[columns].reset_index(drop=True)


def stage_classifier(config: StudyConfig, corpus: StageOutput) -> StageOutput:
    """Supervised frames: train on a labelled corpus, validate on the study's hand codes, and
    estimate each group's frame shares corrected for the classifier's errors.

    The classifier is trained on ``classifier.training`` (a labelled corpus of
    :func:`~framing.frames.labelled.load_labelled` or a CSV) and applied to the event documents.
    Its errors are measured on the hand-coded study documents of ``classifier.validation``
    (``doc_id`` plus one 0/1 column per frame); the shares of frames with at least
    ``classifier.min_coded`` coded positives and negatives are corrected with Rogan-Gladen using
    those error rates (pooled over groups: the codes are too few to estimate them per group).
    """
    from .frames.classifier import FrameClassifier
    from .frames.evaluation import evaluate_frames
    from .frames.labelled import load_labelled, read_labels
    from .frames.prevalence import error_rates, estimate_prevalence

    out = StageOutput()
    c = config["classifier"]
    if not c["enabled"]:
        return out
    data_home = corpus.objects.get("data_home")
    docs = corpus.objects["documents"]
    event_docs = corpus.objects["event_documents"]
    path = config.path("classifier", "training")
    with _Recorder(out):
        training = (read_labels(path) if path is not None and path.is_file()
                    else load_labelled(c["training"], data_home=data_home))
        model = FrameClassifier(features=tuple(c["features"]), C=c["C"],
                                random_state=config.seed).fit(training.texts, training.target())
        predicted = model.predict_frames(event_docs)
    out.params["FrameClassifier"] = {**_params(model), "training": training.name,
                                     "training_documents": len(training), "C_": model.C_}
    out.objects.update(classifier=model, classifier_frames=predicted)
    out.tables["classifier_frames"] = (
        predicted[predicted["label"] == "present"]
        .merge(event_docs[["doc_id", "outlet_group"]], on="doc_id")
        .groupby(["outlet_group", "frame"]).size().rename("documents").reset_index())
    out.tables["classifier_training"] = pd.DataFrame(
        {"frame": list(model.classes_),
         "training_documents": training.frame_counts().reindex(model.classes_).to_numpy(),
         "threshold": np.round(model.thresholds_, 4)})
    validation_path = config.path("classifier", "validation")
    if validation_path is None:
        return out
    codes = pd.read_csv(validation_path)
    frames = [f for f in model.classes_ if f in codes.columns]
    coded = docs[docs["doc_id"].isin(codes["doc_id"])]
    missing = sorted(set(codes["doc_id"]) - set(coded["doc_id"]))
    if missing:
        raise ConfigError(f"{validation_path}: {len(missing)} coded doc_id(s) are not among the "
                          f"study's documents (first: {missing[0]!r}).")
    with _Recorder(out):
        on_coded = model.predict_frames(coded)
        wide = (on_coded.assign(v=(on_coded["label"] == "present").astype(int))
                .pivot(index="doc_id", columns="frame", values="v"))
        truth = codes.set_index("doc_id").loc[wide.index, frames].astype(int)
        evaluation = evaluate_frames(truth, wide[frames], frames=frames,
                                     groups=[d.split(":")[0] for d in wide.index],
                                     group_name="corpus", random_state=config.seed)
        rates = error_rates(truth, wide[frames])
        usable = rates[(rates["n_positive"] >= c["min_coded"])
                       & (rates["n_negative"] >= c["min_coded"])]
        shares = estimate_prevalence(
            predicted.merge(event_docs[["doc_id", "outlet_group"]], on="doc_id"),
            error_rates=usable, by="outlet_group", methods=("rogan-gladen",),
            frames=usable["frame"].tolist(), confidence=config["compare"]["confidence"],
            n_resamples=config["compare"]["n_resamples"], random_state=config.seed)
    out.tables["classifier_validation"] = evaluation.table
    out.tables["classifier_error_rates"] = rates
    out.tables["classifier_shares"] = shares.table
    out.objects.update(evaluation=evaluation, corrected_shares=shares)
    return out


def stage_words(config: StudyConfig, corpus: StageOutput) -> StageOutput:
    """Distinguishing words of each outlet group (informative Dirichlet log-odds)."""
    out = StageOutput()
    w = config["words"]
    if not w["enabled"]:
        return out
    docs = corpus.objects["event_documents"]
    with _Recorder(out):
        words = distinguishing_words(docs, by="outlet_group",
                                     reference=_reference(config, docs),
                                     correction=w["correction"],
                                     confidence=config["compare"]["confidence"],
                                     min_df=w["min_df"])
    out.tables["distinguishing_words"] = words.top(w["n_words"])
    out.params["distinguishing_words"] = _jsonable(words.params)
    out.objects["words"] = words
    return out


def stage_similarity(config: StudyConfig, corpus: StageOutput, topics: StageOutput
                     ) -> StageOutput:
    """Outlet similarity: Jensen-Shannon divergence between outlets' topic distributions."""
    out = StageOutput()
    if "doc_topics" not in topics.objects:
        return out
    docs = corpus.objects["event_documents"]
    with _Recorder(out):
        result = compare_distributions(topics.objects["doc_topics"], feature="topic",
                                       weight="weight", by="outlet", documents=docs,
                                       n_resamples=config["compare"]["n_resamples"],
                                       n_permutations=config["compare"]["n_permutations"],
                                       confidence=config["compare"]["confidence"],
                                       correction=config["compare"]["correction"],
                                       min_docs=config["groups"]["min_docs"],
                                       random_state=config.seed)
    out.tables["outlet_similarity"] = _tidy(result)
    out.params["compare_distributions"] = _jsonable(result.params)
    out.objects["similarity"] = result
    return out


def stage_tone(config: StudyConfig, corpus: StageOutput) -> StageOutput:
    """Tone toward actors (VADER on the words around each mention) by outlet group."""
    out = StageOutput()
    t = config["tone"]
    if not t["enabled"]:
        return out
    docs = corpus.objects["event_documents"]
    actors = load_actors()
    if t["actors"]:
        known = {a.id: a for a in actors}
        missing = sorted(set(t["actors"]) - set(known))
        if missing:
            raise ConfigError(f"{config.source}: tone.actors {missing} are not defined; known "
                              f"actors: {sorted(known)}.")
        actors = tuple(known[a] for a in t["actors"])
    with _Recorder(out):
        doc_tone = actor_tone(docs, actors=actors)
        result = compare_tone(doc_tone, by="outlet_group", documents=docs,
                              reference=_reference(config, docs),
                              correction=config["compare"]["correction"],
                              confidence=config["compare"]["confidence"], min_docs=t["min_docs"])
    out.tables["tone"] = _tidy(result)
    out.params["compare_tone"] = _jsonable(result.params)
    out.objects.update(doc_tone=doc_tone, tone=result)
    return out


def stage_timeline(config: StudyConfig, corpus: StageOutput) -> StageOutput:
    """Articles per group and day around each event."""
    out = StageOutput()
    docs = corpus.objects["documents"]
    docs = docs[docs["outlet_group"] != ""]
    t = config["timeline"]
    with _Recorder(out):
        result = coverage_over_time(docs, events=corpus.objects["events"], by="outlet_group",
                                    within="event_id", before=t["before"], after=t["after"],
                                    confidence=config["compare"]["confidence"])
    out.tables["timeline"] = result.table
    out.objects["timeline"] = result
    return out


#: The stages of :func:`run_study`, in order: name -> (function, names of the stages it uses).
STAGES: dict[str, tuple[Callable[..., StageOutput], tuple[str, ...]]] = {
    "events": (stage_events, ("corpus",)),
    "topics": (stage_topics, ("corpus",)),
    "frames": (stage_frames, ("corpus",)),
    "classifier": (stage_classifier, ("corpus",)),
    "words": (stage_words, ("corpus",)),
    "similarity": (stage_similarity, ("corpus", "topics")),
    "tone": (stage_tone, ("corpus",)),
    "timeline": (stage_timeline, ("corpus",)),
}


def run_study(study=None, *, data_home=None, progress: bool = False) -> StudyResult:
    """Run every stage of a study config.

    Parameters
    ----------
    study : str, path or StudyConfig, optional
        A shipped study name, a TOML file or a loaded config (default: the flagship study).
    data_home : path, optional
        Where the corpora are (default: ``FRAMING_DATA`` or ``~/framing_data``).
    progress : bool
        Show a progress bar over the stages.

    Returns
    -------
    StudyResult
    """
    from tqdm.auto import tqdm

    config = load_study(study)
    stages: dict[str, StageOutput] = {}
    timings: dict[str, float] = {}
    names = ["corpus", *STAGES]
    bar = tqdm(names, desc=config.name, unit="stage", disable=not progress)
    for name in bar:
        bar.set_postfix_str(name)
        start = time.perf_counter()
        if name == "corpus":
            stages[name] = stage_corpus(config, data_home=data_home)
        else:
            function, needs = STAGES[name]
            stages[name] = function(config, *(stages[n] for n in needs))
        timings[name] = time.perf_counter() - start
        logger.info("stage %s: %.1f s", name, timings[name])
    return StudyResult(config=config, stages=stages, timings=timings)
