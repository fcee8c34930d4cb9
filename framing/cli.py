"""Command-line interface: ``framing report|corpora|fetch|validate|summary|events|topics|frames``.

Library code logs; only this module writes to the terminal (tables on stdout, logs on stderr).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from . import __version__
from .errors import FramingError, FramingWarning

logger = logging.getLogger("framing.cli")


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * verbosity
    logging.basicConfig(level=max(level, logging.DEBUG), stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)
    warnings.simplefilter("default", FramingWarning)


def _print_table(table: pd.DataFrame, title: str | None = None) -> None:
    if title:
        sys.stdout.write(f"\n## {title}\n\n")
    sys.stdout.write(table.to_markdown(index=False))
    sys.stdout.write("\n")


def _parse_columns(items: list[str] | None) -> dict[str, str]:
    mapping = {}
    for item in items or []:
        target, sep, source = item.partition("=")
        if not sep:
            raise FramingError(f"--column {item!r}: expected DOCUMENTS_COLUMN=SOURCE_COLUMN, "
                               "e.g. --column text=body")
        mapping[target.strip()] = source.strip()
    return mapping


# ----------------------------------------------------------------------------- commands


def cmd_corpora(args) -> int:
    from .datasets import get_data_home, list_cards

    home = get_data_home(args.data_home)
    rows = [{"name": c.name, "present": c.is_present(home),
             "rows": c.files[0].rows, "license": c.license[:40], "title": c.title[:60]}
            for c in list_cards()]
    sys.stdout.write(f"data home: {home}\n")
    _print_table(pd.DataFrame(rows))
    return 0


def cmd_fetch(args) -> int:
    from .fetch import fetch

    for name in args.names:
        path = fetch(name, data_home=args.data_home, force=args.force,
                     sources_dir=args.sources)
        sys.stdout.write(f"{name}: {path}\n")
    return 0


def cmd_validate(args) -> int:
    from .io import read_documents
    from .schema import DOCUMENT_COLUMNS

    result = read_documents(args.file, format=args.format, sep=args.sep,
                            columns=_parse_columns(args.column))
    data = result.data
    report = pd.DataFrame({
        "column": list(data.columns),
        "schema": [c in DOCUMENT_COLUMNS for c in data.columns],
        "dtype": [str(t) for t in data.dtypes],
        "empty": [int((data[c].isna() | (data[c].astype(str).str.strip() == "")).sum())
                  for c in data.columns],
    })
    sys.stdout.write(f"{result.source}: format {result.format}; {result.n_read} rows read, "
                     f"{len(data)} kept, {result.n_dropped} dropped, "
                     f"{int((result.exclusions['action'] == 'flagged').sum())} flags\n")
    _print_table(report, "columns")
    if len(result.exclusions):
        _print_table(result.exclusions.groupby(["reason", "action"]).size().rename("rows")
                     .reset_index(), "exclusions by reason")
        if args.exclusions:
            result.exclusions.to_csv(args.exclusions, index=False)
            sys.stdout.write(f"\nexclusion log written to {args.exclusions}\n")
    return 0


def cmd_summary(args) -> int:
    from .corpus import load_corpus
    from .datasets import list_cards

    names = [c.name for c in list_cards()] if args.all else args.sources
    if not names:
        raise FramingError("framing summary: name corpora or files, or pass --all.")
    start = time.perf_counter()
    corpus = load_corpus(names, data_home=args.data_home, progress=True)
    tables = corpus.summary(freq=args.freq)
    by = tables["by_outlet_month"]
    wide = by.pivot_table(index="outlet", columns="period", values="articles", fill_value=0,
                          aggfunc="sum")
    per_outlet = by.groupby("outlet")["articles"].sum().sort_values(ascending=False)
    _print_table(tables["accounting"], "accounting")
    _print_table(per_outlet.rename("articles").reset_index().head(args.top),
                 f"articles per outlet (top {args.top} of {len(per_outlet)})")
    _print_table(tables["exclusions"], "exclusions and flags by reason")
    _print_table(tables["cleaning"].head(args.top), "cleaning: documents changed per rule")
    if args.output:
        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        for key, table in tables.items():
            table.to_csv(out / f"{key}.csv", index=False)
        wide.to_csv(out / "outlet_by_period_wide.csv")
        corpus.exclusions.to_csv(out / "exclusion_log.csv", index=False)
        sys.stdout.write(f"\ntables written to {out}/\n")
    sys.stdout.write(f"\n{corpus.name}: {len(corpus)} documents from {corpus.n_read} rows "
                     f"in {time.perf_counter() - start:.1f} s\n")
    return 0


def _count_or_share(text: str) -> int | float:
    """A document-frequency limit: a count (>= 1) or a share of documents (< 1)."""
    value = float(text)
    return int(value) if value >= 1 else value


def _save_figure(figure, path: Path) -> None:
    import matplotlib.pyplot as plt

    figure.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(figure)


def cmd_topics(args) -> int:
    from .corpus import Corpus
    from .frames.topic_network import TopicNetworkFrames
    from .topics import TopicModel, plot_topic_diagnostics, plot_topic_terms, select_k

    start = time.perf_counter()
    documents = Corpus.from_file(args.file).documents
    out = Path(args.output)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    model = TopicModel(args.k, method=args.method, min_df=args.min_df, max_df=args.max_df,
                       random_state=args.seed).fit(documents)
    labels = model.topic_labels(n_terms=args.terms)
    terms = model.topic_terms(args.terms)
    diagnostics = model.diagnostics(documents, n_terms=args.terms).merge(
        labels[["topic", "prob", "frex", "lift"]], on="topic")
    model.doc_topics().to_csv(out / "doc_topics.csv", index=False)
    terms.to_csv(out / "topic_terms.csv", index=False)
    diagnostics.to_csv(out / "diagnostics.csv", index=False)
    model.representative_documents(5).merge(documents[["doc_id", "outlet", "title"]],
                                            on="doc_id", how="left").to_csv(
        out / "representative_documents.csv", index=False)
    _save_figure(plot_topic_terms(terms, labels=labels.set_index("topic")["label"]).figure,
                 figures / "topic_terms.png")
    _save_figure(plot_topic_diagnostics(diagnostics).figure, figures / "topic_quality.png")
    if args.frames:
        frames = TopicNetworkFrames(backbone_alpha=args.backbone, random_state=args.seed,
                                    labels=dict(zip(labels["topic"], labels["label"],
                                                    strict=True))).fit(model.doc_topics())
        frames.frames_.to_csv(out / "frames.csv", index=False)
        frames.doc_frames(model.doc_topics()).to_csv(out / "doc_frames.csv", index=False)
        frames.write_graphml(out / "topic_network.graphml")
        _save_figure(frames.plot().figure, figures / "topic_network.png")
    if args.select_k:
        ks = [int(k) for k in args.select_k.split(",")]
        result = select_k(documents, ks=ks, seeds=range(args.seed, args.seed + args.seeds),
                          method=args.method, min_df=args.min_df, max_df=args.max_df,
                          progress=True)
        result.table.to_csv(out / "select_k.csv", index=False)
        _save_figure(result.plot().figure, figures / "select_k.png")
        _print_table(result.summary().table, "select_k (mean ± sd over seeds)")
    sys.stdout.write(f"{args.method}, K={args.k}: {len(documents)} documents, "
                     f"{len(model.vocabulary_)} terms, mean NPMI "
                     f"{diagnostics['npmi'].mean():.3f}; tables and figures in {out}/ "
                     f"({time.perf_counter() - start:.1f} s)\n")
    return 0


def cmd_events(args) -> int:
    from .events import (
        assign_events,
        attach_events,
        coverage_by_period,
        discover_events,
        event_summary,
    )
    from .io import read_documents

    start = time.perf_counter()
    if args.chunk_size is not None:
        return _stream_events(args, start)
    documents = read_documents(args.file).data
    if args.discover:
        if args.events:
            raise FramingError("--events gives definitions for seeded mode; drop it with "
                               "--discover, which finds events without definitions.")
        options = ({} if args.distance_threshold is None
                   else {"distance_threshold": args.distance_threshold})
        table = discover_events(documents, **options)
    else:
        options = {} if args.threshold is None else {"threshold": args.threshold}
        table = assign_events(documents, events=args.events, **options)
    table.to_csv(args.output, index=False)
    events = attach_events(documents, table)
    summary = event_summary(events)
    _print_table(summary.head(args.top), f"events by outlets covering them (top {args.top})")
    if args.coverage:
        coverage_by_period(events).to_csv(args.coverage, index=False)
    sys.stdout.write(f"\n{len(documents)} documents: {len(summary)} events, {len(events)} "
                     f"assignments, {documents['doc_id'].isin(events['doc_id']).sum()} documents "
                     f"in an event -> {args.output} ({time.perf_counter() - start:.1f} s)\n")
    return 0


def _stream_events(args, start: float) -> int:
    """``framing events --chunk-size N``: seeded mode out of core, Parquet partitions out."""
    from .events.streaming import EVENTS_INFO, stream_events

    if args.discover or args.coverage:
        raise FramingError("--chunk-size streams seeded mode only; drop --discover and "
                           "--coverage (tabulate the partitions afterwards).")
    options = {} if args.threshold is None else {"threshold": args.threshold}
    out = stream_events(args.file, args.output, events=args.events,
                        chunk_size=args.chunk_size, **options)
    info = json.loads((out / EVENTS_INFO).read_text(encoding="utf-8"))
    counts = pd.DataFrame({"event_id": list(info["assigned"]),
                           "documents": list(info["assigned"].values())})
    _print_table(counts, "documents per event")
    sys.stdout.write(f"\n{info['n_documents']} documents, {info['unassigned']} in no event -> "
                     f"{out} ({time.perf_counter() - start:.1f} s)\n")
    return 0


def cmd_frames(args) -> int:
    from .frames import code_documents, validate_codes
    from .io import read_documents

    start = time.perf_counter()
    documents = read_documents(args.file).data
    result = code_documents(documents, codebook=args.codebook, progress=not args.quiet)
    result.table.to_csv(args.output, index=False)
    if args.evidence:
        result.evidence.to_csv(args.evidence, index=False)
    _print_table(result.summary(), f"codebook {result.codebook.name}: documents per label")
    if args.gold:
        validation = validate_codes(result, args.gold)
        _print_table(validation.summary(), f"agreement with {args.gold}")
        if args.disagreements:
            validation.disagreements.to_csv(args.disagreements, index=False)
    sys.stdout.write(f"\n{len(documents)} documents x {len(result.codebook.frames)} frames -> "
                     f"{args.output} ({time.perf_counter() - start:.1f} s)\n")
    return 0


def cmd_process(args) -> int:
    from .outofcore import process_corpus

    options = {"codebooks": args.codebook or ["syria-2017"], "classifier": args.classifier,
               "chunk_size": args.chunk_size, "format": args.format,
               "columns": _parse_columns(args.column) or None, "limit": args.limit,
               "clean": not args.no_clean, "data_home": args.data_home,
               "progress": not args.quiet}
    if args.dask_workers:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise FramingError("--dask-workers needs dask.distributed: pip install "
                               "'framing[scale]'") from exc
        with LocalCluster(n_workers=args.dask_workers, threads_per_worker=1,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            result = process_corpus(args.source, args.output, client=client, **options)
    else:
        result = process_corpus(args.source, args.output, **options)
    sys.stdout.write(result.one_line() + "\n")
    return 0


def cmd_report(args) -> int:
    from .report import build_report
    from .study import list_studies, load_study

    if args.list:
        _print_table(pd.DataFrame({"study": list_studies()}))
        return 0
    config = load_study(args.study)
    if args.seed is not None:
        config = config.replace(study={"seed": args.seed})
    result = build_report(config, args.output, data_home=args.data_home,
                          progress=not args.quiet)
    timings = pd.DataFrame({"stage": list(result.timings),
                            "seconds": [round(v, 1) for v in result.timings.values()]})
    _print_table(timings, f"{config.name}: stage timings")
    sys.stdout.write(f"\n{result.summary()}\nopen {result.path / 'index.html'}\n")
    return 0


def _names(text: str | None) -> list[str] | None:
    """A comma-separated list (``a,b``) as names, or None."""
    return [n.strip() for n in text.split(",") if n.strip()] if text else None


def cmd_annotate_sample(args) -> int:
    from .frames.annotation import (
        SHEET_COLUMNS,
        coding_sheet,
        sample_for_coding,
        write_coding_sheet,
    )
    from .io import read_documents

    documents = read_documents(args.file).data
    if args.events:  # documents in several events: their best-scoring event comes first
        events = pd.read_csv(args.events, dtype={"doc_id": str, "event_id": str},
                             keep_default_na=False)
        if "score" in events:
            events = events.sort_values("score", ascending=False, kind="stable")
        documents = documents.drop(columns="event_id", errors="ignore").merge(
            events[["doc_id", "event_id"]], on="doc_id", how="left")
        documents["event_id"] = documents["event_id"].fillna("")
    by = _names(args.by) or None
    sample = sample_for_coding(documents, n=args.n, by=by, allocation=args.allocation,
                               min_per_stratum=args.min_per_stratum, random_state=args.seed)
    sheet = coding_sheet(sample, variables=_names(args.variables), codebook=args.codebook,
                         text_chars=args.text_chars)
    write_coding_sheet(sheet, args.output)
    strata = (sample.groupby("stratum", sort=True)
              .agg(documents=("stratum_size", "first"), sampled=("doc_id", "size"),
                   weight=("weight", "first")).reset_index())
    _print_table(strata, f"strata ({args.allocation} allocation)")
    n_variables = len(sheet.columns) - len(SHEET_COLUMNS) - 2  # minus coder, note
    sys.stdout.write(f"\n{len(sheet)} of {documents['doc_id'].nunique()} documents from "
                     f"{len(strata)} strata, {n_variables} variable(s), seed {args.seed} -> "
                     f"{args.output}\n")
    return 0


def cmd_annotate_reliability(args) -> int:
    from .frames.reliability import reliability

    result = reliability(args.sheets, variables=_names(args.variables), level=args.level,
                         n_resamples=args.n_resamples, confidence=args.confidence,
                         random_state=args.seed)
    sys.stdout.write(result.to_markdown())
    if args.output:
        result.table.to_csv(args.output, index=False)
        sys.stdout.write(f"\ntable written to {args.output}\n")
    if args.pairs:
        result.pairs.to_csv(args.pairs, index=False)
    coders = result.params["coders"]
    sys.stdout.write(f"\n{len(result.table)} variable(s), {len(coders)} coders "
                     f"({', '.join(coders)})\n")
    return 0


def cmd_annotate_adjudicate(args) -> int:
    from .frames.annotation import adjudicate, write_coding_sheet

    result = adjudicate(args.sheets, variables=_names(args.variables),
                        rule="majority" if args.majority else "unanimous")
    write_coding_sheet(result.merged, args.output)
    if args.disagreements:
        result.disagreements.to_csv(args.disagreements, index=False)
    _print_table(result.table, "documents per variable and status")
    still_open = int(result.table["disagreement"].sum()) if len(result.table) else 0
    sys.stdout.write(f"\n{len(result.merged)} documents, {len(result.disagreements)} "
                     f"disagreement(s), {still_open} left for the adjudicator -> "
                     f"{args.output}\n")
    return 0


def _classify_labels(args, source: str):
    """A labelled corpus by name (semeval2023-en, gvfc-main ...) or a labels CSV."""
    from .frames.labelled import load_labelled, read_labels

    if Path(source).exists():
        columns = [c.strip() for c in args.frame_columns.split(",")] if args.frame_columns \
            else None
        return read_labels(source, text_column=args.text_column,
                           frames_column=args.frames_column, frame_columns=columns,
                           id_column=args.id_column, sep=args.sep,
                           multilabel=False if args.single_label else None,
                           title_column=args.title_column)
    return load_labelled(source, data_home=args.data_home)


def _classify_estimator(args):
    from .frames.classifier import FrameClassifier

    thresholds = args.thresholds
    if thresholds not in ("micro", "frame"):
        thresholds = float(thresholds)
    return FrameClassifier(features=tuple(f.strip() for f in args.features.split(",")),
                           C=[float(c) for c in args.C.split(",")], thresholds=thresholds,
                           at_least_one=args.at_least_one, cv=args.inner_folds,
                           min_df=args.min_df, stop_words=None if args.no_stop_words
                           else "news", random_state=args.seed)


def _classify_target(corpus, classes=None):
    """Labels of ``corpus`` in the form (and frame order) a model expects."""
    if not corpus.multilabel:
        return corpus.target()
    y = corpus.indicators()
    if classes is not None:
        missing = [c for c in classes if c not in y.columns]
        if missing:
            raise FramingError(f"the labels have no frame(s) {missing} of the model; they code "
                               f"{list(y.columns)}.")
        y = y[list(classes)]
    return y


def cmd_classify_train(args) -> int:
    start = time.perf_counter()
    corpus = _classify_labels(args, args.labels)
    model = _classify_estimator(args).fit(corpus.texts.tolist(), _classify_target(corpus))
    model.training_info_ = {"labels": corpus.name, "n_docs": len(corpus),
                            "multilabel": corpus.multilabel}
    model.save(args.output)
    scores = pd.DataFrame([{"C": c, **s} for c, s in model.cv_scores_.items()])
    _print_table(scores, f"internal {args.inner_folds}-fold cross-validation on the training "
                 "data (out-of-fold)")
    sys.stdout.write(f"\n{corpus.name}: {len(corpus)} documents, {len(model.classes_)} frames "
                     f"({'multi' if model.multilabel_ else 'single'}-label), C={model.C_} -> "
                     f"{args.output} (+ .sha256) ({time.perf_counter() - start:.1f} s)\n")
    return 0


def _classify_documents(source: str, data_home=None) -> pd.DataFrame:
    from .errors import SchemaError
    from .io import read_documents

    if not Path(source).exists():
        from .corpus import load_corpus

        return load_corpus(source, data_home=data_home).documents
    try:
        return read_documents(source).data
    except SchemaError:  # a plain file of doc_id + text is enough to classify
        data = pd.read_csv(source, dtype=str, keep_default_na=False)
        if "doc_id" not in data.columns or "text" not in data.columns:
            raise
        return data


def cmd_classify_predict(args) -> int:
    from .frames.classifier import load_classifier

    start = time.perf_counter()
    model = load_classifier(args.model)
    documents = _classify_documents(args.file, args.data_home)
    table = model.predict_frames(documents, title_column=None if args.no_title else "title")
    table.to_csv(args.output, index=False)
    present = table[table["label"] == "present"].groupby("frame").size()
    counts = (pd.Series(0, index=pd.Index(model.classes_.astype(str), name="frame"))
              .add(present, fill_value=0).astype(int).rename("documents").reset_index())
    _print_table(counts, "documents per predicted frame")
    sys.stdout.write(f"\n{len(documents)} documents x {len(model.classes_)} frames -> "
                     f"{args.output} ({time.perf_counter() - start:.1f} s)\n")
    return 0


def cmd_classify_evaluate(args) -> int:
    from .frames.classifier import load_classifier
    from .frames.evaluation import cross_val_predict_frames, evaluate_frames

    start = time.perf_counter()
    if args.cv:
        if len(args.sources) != 1:
            raise FramingError("framing classify evaluate --cv K LABELS: give only LABELS "
                               "(a model is trained in each fold).")
        corpus = _classify_labels(args, args.sources[0])
        y = _classify_target(corpus)
        pred, _, _ = cross_val_predict_frames(_classify_estimator(args), corpus.texts.tolist(),
                                              y, n_splits=args.cv, random_state=args.seed)
        how = f"{args.cv}-fold cross-validation (seed {args.seed})"
    else:
        if len(args.sources) != 2:
            raise FramingError("framing classify evaluate MODEL LABELS (or --cv K LABELS).")
        model = load_classifier(args.sources[0])
        corpus = _classify_labels(args, args.sources[1])
        y = _classify_target(corpus, model.classes_ if model.multilabel_ else None)
        pred = model.predict(corpus.texts.tolist())
        how = f"model {args.sources[0]}"
    if corpus.multilabel:
        y_true, y_pred = y.to_numpy(), pred
        frames = list(y.columns)
    else:
        y_true, y_pred, frames = y.to_numpy().astype(str), pred, list(corpus.frames)
    groups = None
    if args.by:
        if args.by not in corpus.data.columns:
            raise FramingError(f"--by {args.by!r}: the labels have columns "
                               f"{list(corpus.data.columns)}.")
        groups = corpus.data[args.by].to_numpy()
    result = evaluate_frames(y_true, y_pred, frames=frames, groups=groups,
                             group_name=args.by or "group", n_boot=args.n_boot,
                             random_state=args.seed)
    text = result.to_markdown()
    sys.stdout.write(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    if args.table:
        result.table.to_csv(args.table, index=False)
    sys.stdout.write(f"\n{corpus.name}: {len(corpus)} documents, {how}: micro-F1 "
                     f"{result.micro_f1:.3f}, macro-F1 {result.macro_f1:.3f}, accuracy "
                     f"{result.accuracy:.3f} ({time.perf_counter() - start:.1f} s)\n")
    return 0


def cmd_versions(args) -> int:
    from . import show_versions

    show_versions()
    return 0


# ----------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="framing", description="How do different news outlets frame the same events?")
    parser.add_argument("--version", action="version", version=f"framing {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=1,
                        help="more log output (-vv for debug)")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors")
    sub = parser.add_subparsers(dest="command", required=True)

    home = argparse.ArgumentParser(add_help=False)
    home.add_argument("--data-home", help="data home (default: $FRAMING_DATA or ~/framing_data)")

    p = sub.add_parser("corpora", parents=[home], help="list corpus cards and whether the data "
                       "are in the data home")
    p.set_defaults(func=cmd_corpora)

    p = sub.add_parser("fetch", parents=[home], help="download a corpus from its upstream "
                       "sources and build its normalised table")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("--sources", metavar="DIR", help="folder holding the upstream files "
                   "(offline use: download them elsewhere first)")
    p.add_argument("--force", action="store_true", help="rebuild even if the file is present")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("validate", help="read a documents file and report its schema and "
                       "every dropped or flagged row")
    p.add_argument("file")
    p.add_argument("--format", choices=["csv", "tsv", "jsonl", "parquet", "text-folder",
                                        "mediacloud"])
    p.add_argument("--sep", help="field delimiter of delimited text")
    p.add_argument("--column", action="append", metavar="DOC=SOURCE",
                   help="map a documents column onto a source column (repeatable)")
    p.add_argument("--exclusions", metavar="CSV", help="write the exclusion log here")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("summary", parents=[home], help="articles per outlet and month, and "
                       "exclusions by reason, for corpora (by name) or files")
    p.add_argument("sources", nargs="*", metavar="NAME|FILE")
    p.add_argument("--all", action="store_true", help="every corpus with a card")
    p.add_argument("--freq", default="M", help="period of the counts (pandas alias; default M)")
    p.add_argument("--top", type=int, default=25, help="outlets to print")
    p.add_argument("-o", "--output", metavar="DIR", help="write the tables as CSV here")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("topics", help="fit a topic model to a documents file and write "
                       "doc_topics, topic_terms, diagnostics and figures")
    p.add_argument("file")
    p.add_argument("-k", "--k", type=int, default=20, help="number of topics (default 20)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    p.add_argument("--method", default="nmf", choices=["nmf", "lda", "minibatch-nmf"])
    p.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    p.add_argument("--min-df", type=_count_or_share, default=5,
                   help="drop terms in fewer documents (a share if below 1; default 5)")
    p.add_argument("--max-df", type=_count_or_share, default=0.5,
                   help="drop terms in more documents (a share if below 1; default 0.5)")
    p.add_argument("--terms", type=int, default=10, help="top terms per topic (default 10)")
    p.add_argument("--frames", action="store_true", help="also find inductive frames from the "
                   "topic network (ANTMN): frames.csv, doc_frames.csv, topic_network.graphml")
    p.add_argument("--backbone", type=float, metavar="ALPHA", help="keep only the topic "
                   "network's disparity-filter backbone at this level")
    p.add_argument("--select-k", metavar="K1,K2,...", help="also compare numbers of topics "
                   "(select_k.csv and figures/select_k.png)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per K for --select-k")
    p.set_defaults(func=cmd_topics)

    p = sub.add_parser("events", help="assign the documents of a file to events defined in "
                       "corpora/_events.toml, or discover events by clustering (--discover)")
    p.add_argument("file", help="documents file (columns doc_id, outlet, published, title, text)")
    p.add_argument("-o", "--output", required=True, metavar="CSV",
                   help="write doc_id, event_id, score here (one row per assignment; a folder "
                   "of Parquet partitions with --chunk-size)")
    p.add_argument("--events", metavar="TOML", help="event definitions (default: the shipped "
                   "corpora/_events.toml)")
    p.add_argument("--chunk-size", type=int, metavar="N", help="out of core: read FILE (also "
                   "a Parquet folder or a 'framing process' output) N documents at a time, "
                   "twice, and write Parquet partitions to OUTPUT; same table as in memory")
    p.add_argument("--discover", action="store_true", help="cluster into events instead of "
                   "matching definitions")
    p.add_argument("--threshold", type=float, help="seeded mode: minimum score (default 0.04)")
    p.add_argument("--distance-threshold", type=float,
                   help="discovery: merge groups closer than this (default 0.85)")
    p.add_argument("--coverage", metavar="CSV", help="also write articles per event, outlet "
                   "and day")
    p.add_argument("--top", type=int, default=20, help="events to print")
    p.set_defaults(func=cmd_events)

    p = sub.add_parser("frames", help="code every document of a file with a codebook "
                       "(deductive frames with evidence sentences)")
    p.add_argument("file", help="documents file (columns doc_id, outlet, published, title, text)")
    p.add_argument("--codebook", required=True, metavar="NAME|TOML",
                   help="shipped codebook (generic, policy, syria-2017) or a TOML file")
    p.add_argument("-o", "--output", required=True, metavar="CSV",
                   help="write the doc_frames table (doc_id, frame, label, score, evidence, "
                   "voice, method) here")
    p.add_argument("--evidence", metavar="CSV", help="also write one row per evidence sentence")
    p.add_argument("--gold", metavar="CSV", help="human codes to validate against (one row per "
                   "document, columns named as frames or their aliases)")
    p.add_argument("--disagreements", metavar="CSV", help="with --gold: write the "
                   "disagreements with their evidence here")
    p.set_defaults(func=cmd_frames)

    p = sub.add_parser("process", parents=[home], help="clean and code a large corpus chunk by "
                       "chunk (out of core; optionally on a Dask cluster) into Parquet tables")
    p.add_argument("source", metavar="SOURCE", help="CSV/TSV/JSONL/Parquet file, folder of "
                   "Parquet partitions, or corpus name")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder "
                   "(documents/, doc_frames/, predictions/, exclusions/, _summary.json; "
                   "written atomically)")
    p.add_argument("--codebook", action="append", metavar="NAME|TOML",
                   help="codebook to apply (repeatable; default syria-2017)")
    p.add_argument("--classifier", metavar="MODEL", help="also classify with this saved "
                   "FrameClassifier (predictions/)")
    p.add_argument("--chunk-size", type=int, default=5000, metavar="N",
                   help="records per chunk (default 5000)")
    p.add_argument("--dask-workers", type=int, metavar="N", help="run on a local Dask cluster "
                   "of N single-threaded worker processes")
    p.add_argument("--format", choices=["csv", "tsv", "jsonl", "parquet", "mediacloud"])
    p.add_argument("--column", action="append", metavar="DOC=SOURCE",
                   help="map a documents column onto a source column (repeatable)")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N records")
    p.add_argument("--no-clean", action="store_true", help="skip text cleaning")
    p.set_defaults(func=cmd_process)

    p = sub.add_parser("report", parents=[home], help="run a study config end to end and write "
                       "its report (HTML, Markdown, CSV tables, figures, manifest)")
    p.add_argument("study", nargs="?", default=None, metavar="STUDY",
                   help="shipped study name or TOML file (default: khan-shaykhun-2017)")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="report directory (default: report-<study>; replaced atomically)")
    p.add_argument("--seed", type=int, help="override the config's seed")
    p.add_argument("--list", action="store_true", help="list the shipped studies")
    p.set_defaults(func=cmd_report)

    annotate = sub.add_parser("annotate", help="hand coding: sample documents into a coding "
                              "sheet, score agreement between coders, adjudicate")
    steps = annotate.add_subparsers(dest="annotate_command", required=True)
    p = steps.add_parser("sample", help="draw a stratified sample (by outlet and event) and "
                         "write it as a coding sheet")
    p.add_argument("file", help="documents file (columns doc_id, outlet, published, title, text; "
                   "event_id, or --events)")
    p.add_argument("-o", "--output", required=True, metavar="SHEET.csv")
    p.add_argument("--n", type=int, required=True, help="documents to sample")
    p.add_argument("--by", default="outlet,event_id", metavar="COL,COL",
                   help="strata columns (default outlet,event_id; '' for a simple random sample)")
    p.add_argument("--events", metavar="CSV", help="event assignments (doc_id, event_id, score; "
                   "as written by `framing events`) to stratify by")
    p.add_argument("--allocation", default="proportional", choices=["proportional", "equal"])
    p.add_argument("--min-per-stratum", type=int, default=1,
                   help="smallest sample per stratum (default 1)")
    p.add_argument("--variables", metavar="A,B,...", help="coded variables (one column each)")
    p.add_argument("--codebook", metavar="NAME|TOML", help="one column per frame of this "
                   "codebook (when --variables is not given)")
    p.add_argument("--text-chars", type=int, metavar="N",
                   help="keep only the first N characters of each text (default: full text)")
    p.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    p.set_defaults(func=cmd_annotate_sample)

    p = steps.add_parser("reliability", help="agreement per variable between coders' sheets: "
                         "percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha")
    p.add_argument("sheets", nargs="+", metavar="SHEET", help="filled coding sheets (CSV), one "
                   "per coder (named by the coder column, else the file name)")
    p.add_argument("--variables", metavar="A,B,...", help="variables to score (default: all)")
    p.add_argument("--level", default="nominal",
                   choices=["nominal", "ordinal", "interval", "ratio"])
    p.add_argument("--n-resamples", type=int, default=1000,
                   help="bootstrap resamples for alpha's interval (default 1000; 0: none)")
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    p.add_argument("-o", "--output", metavar="CSV", help="write the table here")
    p.add_argument("--pairs", metavar="CSV", help="write Cohen's kappa per pair of coders here")
    p.set_defaults(func=cmd_annotate_reliability)

    p = steps.add_parser("adjudicate", help="list disagreements between coders' sheets and "
                         "write a merged sheet with agreed values filled")
    p.add_argument("sheets", nargs="+", metavar="SHEET")
    p.add_argument("-o", "--output", required=True, metavar="MERGED.csv")
    p.add_argument("--variables", metavar="A,B,...", help="variables to merge (default: all)")
    p.add_argument("--majority", action="store_true", help="fill values given by more than "
                   "half of the coders (default: only unanimous values)")
    p.add_argument("--disagreements", metavar="CSV", help="write the disagreements here")
    p.set_defaults(func=cmd_annotate_adjudicate)

    labels = argparse.ArgumentParser(add_help=False)
    labels.add_argument("--data-home", help="data home of the labelled corpora")
    labels.add_argument("--text-column", default="text", help="labels CSV: text column")
    labels.add_argument("--frames-column", default="frames", help="labels CSV: frame names "
                        "joined by --sep (default column 'frames')")
    labels.add_argument("--frame-columns", metavar="A,B,...", help="labels CSV: 0/1 columns, "
                        "one per frame (instead of --frames-column)")
    labels.add_argument("--id-column", default="doc_id")
    labels.add_argument("--title-column", help="labels CSV: put this column before the text")
    labels.add_argument("--sep", default=";", help="separator of the frames column")
    labels.add_argument("--single-label", action="store_true",
                        help="exactly one frame per document (default: guessed)")
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--features", default="word,char",
                         help="feature blocks: word, char, embeddings (default word,char)")
    options.add_argument("--C", default="1,10", metavar="C[,C...]", help="regularisation; "
                         "several are chosen between by internal cross-validation (default 1,10)")
    options.add_argument("--thresholds", default="micro", help="micro (one threshold, best "
                         "micro-F1), frame (per-frame F1) or a number (default micro)")
    options.add_argument("--at-least-one", action="store_true",
                         help="give every document at least one frame")
    options.add_argument("--inner-folds", type=int, default=5,
                         help="folds of the internal cross-validation (default 5)")
    options.add_argument("--min-df", type=_count_or_share, default=2)
    options.add_argument("--no-stop-words", action="store_true",
                         help="keep stop words (use for non-English text)")
    options.add_argument("--seed", type=int, default=0, help="random_state (default 0)")

    classify = sub.add_parser("classify", help="supervised frame classifiers: train on human "
                              "codes, predict a doc_frames table, evaluate")
    steps = classify.add_subparsers(dest="classify_command", required=True)
    p = steps.add_parser("train", parents=[labels, options], help="train a FrameClassifier "
                         "and save it (skops + SHA-256)")
    p.add_argument("labels", metavar="LABELS", help="labelled corpus name (semeval2023-en, "
                   "gvfc, gvfc-main, narrative-frames) or a CSV with text and frame columns")
    p.add_argument("-o", "--output", required=True, metavar="MODEL.skops")
    p.set_defaults(func=cmd_classify_train)

    p = steps.add_parser("predict", help="classify a documents file into a doc_frames table")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("file", metavar="FILE", help="documents file (doc_id, text; title is put "
                   "before the text) or a corpus name")
    p.add_argument("-o", "--output", required=True, metavar="OUT.csv")
    p.add_argument("--no-title", action="store_true", help="classify the text alone")
    p.add_argument("--data-home", help="data home (for a corpus name)")
    p.set_defaults(func=cmd_classify_predict)

    p = steps.add_parser("evaluate", parents=[labels, options], help="precision/recall/F1 "
                         "with bootstrap intervals, confusion and accuracy by group: of a "
                         "saved MODEL on LABELS, or cross-validated (--cv K LABELS)")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="MODEL LABELS, or LABELS "
                   "alone with --cv")
    p.add_argument("--cv", type=int, metavar="K", help="cross-validate a new model "
                   "(options as for train) instead of loading MODEL")
    p.add_argument("--by", help="column of the labels to break accuracy down by (e.g. outlet)")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("-o", "--output", metavar="REPORT.md", help="write the Markdown report")
    p.add_argument("--table", metavar="CSV", help="write the per-frame table")
    p.set_defaults(func=cmd_classify_evaluate)

    p = sub.add_parser("versions", help="package, dependency and platform versions")
    p.set_defaults(func=cmd_versions)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``framing`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(-1 if args.quiet else args.verbose)
    try:
        return args.func(args)
    except FramingError as exc:
        logger.error("%s", exc)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
