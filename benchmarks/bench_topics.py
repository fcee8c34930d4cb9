"""Benchmark: framing's topic models against gensim and tomotopy on all news corpora.

Not a test. Run from a checkout with the corpora in the data home::

    FRAMING_DATA=../shared/corpora python benchmarks/bench_topics.py --out /tmp/bench-topics
    # the peer comparison only, written to benchmarks/results/topics.{csv,md}:
    FRAMING_DATA=../shared/corpora python benchmarks/bench_topics.py --skip-select-k
    # the same on another documents table (e.g. a resampled corpus of bench_scale.py):
    python benchmarks/bench_topics.py --skip-select-k \
        --corpus /work/scratch/scale/corpora/r0-100000 --label resampled-100k

What it does, on the four news corpora together (about 4,100 articles) or on ``--corpus``:

1. Vectorises the texts once with ``make_vectorizer("count", min_df=5, max_df=0.5)``. Every model
   gets exactly these counts (the same vocabulary): framing's models through a prefit
   vectorizer, gensim through ``Sparse2Corpus``, tomotopy as bags of words rebuilt from the same
   matrix (word order does not matter to LDA).
2. Fits K=20 topics with seed 0: framing's default (NMF), framing's LDA and MiniBatchNMF, gensim
   ``LdaMulticore`` (its default single pass, and 10 passes) and tomotopy ``LDAModel`` (200 and
   1000 Gibbs iterations), timing the fit only (the shared vectorisation is reported apart).
   ``--models`` picks a subset (keys in :data:`MODELS`).
3. Scores every model's top 10 terms with the same functions: NPMI with document co-occurrence
   (the default), NPMI in sliding windows of 10 tokens, and exclusivity.
4. Writes ``topics.csv`` (one row per corpus and model) and ``topics.md`` to ``--results``
   (default ``benchmarks/results``; rows of other corpora already there are kept), with the
   explicit ratios of :func:`peer_ratios`: framing's default fit time / the fastest peer's
   (gensim or tomotopy) fit time, and the NPMI differences. The claim checked is "the default
   model is no slower than the faster peer at equal or better NPMI" (time ratio <= 1 and
   document NPMI difference >= 0).
5. Runs ``select_k`` over K in {10, 20, 30, 40} x seeds {0, 1, 2} (unless ``--skip-select-k``).
6. With ``--flagship``, assigns the flagship events (``framing.events.assign_events``) and
   tabulates topic prevalence by outlet group for them.

Other tables and figures are written to ``--out``; the tables are also printed as Markdown.
Timings depend on the machine and on what else runs on it: run twice before quoting them. On a
resampled corpus (``benchmarks/bench_scale.py``) every article occurs many times: duplicates
inflate document co-occurrence (NPMI) and let rare terms pass ``min_df``, so its NPMI values are
not comparable with those of the real corpora (only the models' order on one corpus is).
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from framing import load_corpus
from framing.errors import DataQualityWarning
from framing.groups import assign_groups
from framing.text import make_vectorizer
from framing.topics import TopicModel, exclusivity, npmi_coherence, select_k, topic_prevalence

CORPORA = ["allsides-abp", "fa-kes", "dai-newsarticles-2017", "basil"]
K = 20
SEED = 0
N_TERMS = 10
FLAGSHIP = ["khan-shaykhun-2017", "shayrat-strike-2017"]
HERE = Path(__file__).resolve().parent
#: The framing model whose speed and coherence are compared with the peers.
DEFAULT_MODEL = "framing-nmf"

logger = logging.getLogger("bench_topics")


def top_terms(topic_word: np.ndarray, vocabulary: np.ndarray) -> list[list[str]]:
    order = np.argsort(-topic_word, axis=1, kind="stable")[:, :N_TERMS]
    return [vocabulary[row].tolist() for row in order]


def fit_framing(counts, vec, method):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        model = TopicModel(K, method=method, vectorizer=vec, random_state=SEED).fit(counts)
    return time.perf_counter() - start, model.topic_word_


def fit_gensim(counts, vocabulary, passes):
    from gensim.matutils import Sparse2Corpus
    from gensim.models import LdaMulticore

    corpus = Sparse2Corpus(counts.T.tocsc(), documents_columns=True)
    id2word = dict(enumerate(vocabulary))
    start = time.perf_counter()
    model = LdaMulticore(corpus, num_topics=K, id2word=id2word, passes=passes,
                         random_state=SEED)
    return time.perf_counter() - start, model.get_topics()


def fit_tomotopy(counts, vocabulary, iterations):
    import tomotopy as tp

    model = tp.LDAModel(k=K, seed=SEED)
    coo = counts.tocsr()
    for i in range(coo.shape[0]):
        row = coo.getrow(i)
        words = np.repeat(vocabulary[row.indices], row.data.astype(int)).tolist()
        model.add_doc(words if words else [vocabulary[0]])
    start = time.perf_counter()
    model.train(iterations, workers=2)
    seconds = time.perf_counter() - start
    index = {w: i for i, w in enumerate(model.used_vocabs)}
    topic_word = np.zeros((K, len(vocabulary)))
    position = {w: i for i, w in enumerate(vocabulary)}
    for k in range(K):
        dist = model.get_topic_word_dist(k)
        for word, i in index.items():
            topic_word[k, position[word]] = dist[i]
    return seconds, topic_word


#: key -> (label, family, what to run). Family "framing" is this package; the others are peers.
MODELS = {
    "framing-nmf": ("framing NMF (default)", "framing", ("framing", "nmf")),
    "framing-minibatch-nmf": ("framing MiniBatchNMF", "framing", ("framing", "minibatch-nmf")),
    "framing-lda": ("framing LDA (sklearn, batch VB, 20 iter)", "framing", ("framing", "lda")),
    "gensim-1": ("gensim LdaMulticore (passes=1, default)", "gensim", ("gensim", 1)),
    "gensim-10": ("gensim LdaMulticore (passes=10)", "gensim", ("gensim", 10)),
    "tomotopy-200": ("tomotopy LDAModel (200 iter, 2 workers)", "tomotopy", ("tomotopy", 200)),
    "tomotopy-1000": ("tomotopy LDAModel (1000 iter, 2 workers)", "tomotopy",
                      ("tomotopy", 1000)),
}


def peer_benchmark(documents: pd.DataFrame, *, label: str = "real",
                   models: Sequence[str] | None = None,
                   on_row: Callable[[dict], None] | None = None) -> pd.DataFrame:
    """Fit the topic models of :data:`MODELS` on the same counts and score them alike.

    Parameters
    ----------
    documents : DataFrame
        Documents with a ``text`` column.
    label : str
        Name of the corpus in the ``corpus`` column of the result.
    models : sequence of str, optional
        Keys of :data:`MODELS` (default: all, in that order).
    on_row : callable, optional
        Called with each row as soon as its model is scored (to keep partial results when a
        later model is stopped by a time limit).

    Returns
    -------
    DataFrame
        One row per model: ``corpus, n_docs, n_terms, vectorise_seconds, key, model, family,
        fit_seconds, npmi_document, npmi_window10, exclusivity``.
    """
    keys = list(models or MODELS)
    unknown = sorted(set(keys) - set(MODELS))
    if unknown:
        raise ValueError(f"unknown models {unknown}; use keys of MODELS: {list(MODELS)}")
    start = time.perf_counter()
    vec = make_vectorizer("count", min_df=5, max_df=0.5)
    counts = vec.fit_transform(documents["text"]).tocsr().astype(np.float64)
    vocabulary = vec.get_feature_names_out().astype(object)
    vectorise = time.perf_counter() - start
    analyzer = vec.build_analyzer()
    tokens = [analyzer(t) for t in documents["text"]]
    logger.info("%s: vectorised %d documents x %d terms in %.1f s", label, counts.shape[0],
                counts.shape[1], vectorise)
    rows = []
    for key in keys:
        name, family, (kind, param) = MODELS[key]
        if kind == "framing":
            seconds, topic_word = fit_framing(counts, vec, param)
        elif kind == "gensim":
            seconds, topic_word = fit_gensim(counts, vocabulary, param)
        else:
            seconds, topic_word = fit_tomotopy(counts, vocabulary, param)
        terms = top_terms(topic_word, vocabulary)
        row = {"corpus": label, "n_docs": counts.shape[0], "n_terms": counts.shape[1],
               "vectorise_seconds": round(vectorise, 3), "key": key, "model": name,
               "family": family, "fit_seconds": round(seconds, 3),
               "npmi_document": npmi_coherence(terms, counts, vocabulary=vocabulary).mean(),
               "npmi_window10": npmi_coherence(terms, tokens, window=10).mean(),
               "exclusivity": exclusivity(topic_word, n_terms=N_TERMS).mean()}
        rows.append(row)
        if on_row is not None:
            on_row(row)
        logger.info("%s / %s: %.1f s, NPMI %.3f", label, name, seconds, row["npmi_document"])
    return pd.DataFrame(rows)


def peer_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """Framing's default model against the peers (gensim, tomotopy), one row per corpus.

    ``time_ratio`` is the default's fit time over the fastest peer's; ``npmi_diff`` (and
    ``npmi_window10_diff``) the default's NPMI minus that peer's; ``npmi_diff_best_peer`` the
    default's NPMI minus the most coherent peer's. ``holds`` says whether the default is no
    slower than the fastest peer (``time_ratio <= 1``) at equal or better document NPMI
    (``npmi_diff >= 0``).
    """
    rows = []
    for corpus, part in table.groupby("corpus", sort=False):
        default = part[part["key"] == DEFAULT_MODEL]
        peers = part[part["family"] != "framing"]
        if default.empty or peers.empty:
            continue
        d = default.iloc[0]
        fastest = peers.loc[peers["fit_seconds"].idxmin()]
        best = peers.loc[peers["npmi_document"].idxmax()]
        ratio = d["fit_seconds"] / fastest["fit_seconds"]
        diff = d["npmi_document"] - fastest["npmi_document"]
        rows.append({"corpus": corpus, "n_docs": int(d["n_docs"]), "n_terms": int(d["n_terms"]),
                     "default_model": d["model"], "default_seconds": d["fit_seconds"],
                     "default_npmi": d["npmi_document"], "fastest_peer": fastest["model"],
                     "fastest_peer_seconds": fastest["fit_seconds"],
                     "fastest_peer_npmi": fastest["npmi_document"], "time_ratio": ratio,
                     "npmi_diff": diff,
                     "npmi_window10_diff": d["npmi_window10"] - fastest["npmi_window10"],
                     "best_npmi_peer": best["model"], "best_peer_npmi": best["npmi_document"],
                     "best_peer_seconds": best["fit_seconds"],
                     "time_ratio_best_peer": d["fit_seconds"] / best["fit_seconds"],
                     "npmi_diff_best_peer": d["npmi_document"] - best["npmi_document"],
                     "peers_compared": ", ".join(peers["model"]),
                     "holds": bool(ratio <= 1.0 and diff >= 0.0)})
    return pd.DataFrame(rows)


def topics_markdown(table: pd.DataFrame) -> str:
    """The Markdown of ``topics.md``: per corpus, every model, then the ratios and the claim."""
    ratios = peer_ratios(table)
    lines = ["# Topic models: framing against gensim and tomotopy", "",
             f"Made by `benchmarks/bench_topics.py` (updated {time.strftime('%Y-%m-%d')}). "
             f"K={K}, seed {SEED}, top {N_TERMS} terms. Every model of a corpus is fitted on the "
             "same counts (`make_vectorizer('count', min_df=5, max_df=0.5)`, vectorised once); "
             "`fit_seconds` is the fit alone. NPMI: document co-occurrence (`npmi_document`) "
             "and 10-token sliding windows (`npmi_window10`), both over the same corpus.", "",
             "Parallelism as each library does it by default: gensim `LdaMulticore` uses one "
             "worker process besides the master (cores - 1), tomotopy trains with 2 worker "
             "threads, framing's NMF runs in one process (its BLAS may use both cores).", "",
             "Timings depend on the machine and its load: run twice before quoting them.", ""]
    for corpus, part in table.groupby("corpus", sort=False):
        first = part.iloc[0]
        lines += [f"## {corpus}", "", f"{int(first['n_docs']):,} documents x "
                  f"{int(first['n_terms']):,} terms (vectorised in "
                  f"{first['vectorise_seconds']:.1f} s).", ""]
        shown = part[["model", "fit_seconds", "npmi_document", "npmi_window10", "exclusivity"]]
        lines += [shown.to_markdown(index=False, floatfmt=".3f"), ""]
        missing = [MODELS[k][0] for k in MODELS if k not in set(part["key"])]
        if missing:
            lines += ["Not run on this corpus (left out for time): " + "; ".join(missing) + ".",
                      ""]
        if corpus.startswith("resampled"):
            lines += ["Resampled corpus: every article occurs many times, which inflates "
                      "co-occurrence counts and lets rare terms pass `min_df`; compare models "
                      "within this table only, not with the real corpora.", ""]
    if not ratios.empty:
        lines += ["## Ratios: framing default vs the fastest peer", "",
                  "`time_ratio` = framing default fit seconds / fastest peer fit seconds (below 1: "
                  "framing is faster); `npmi_diff` = framing default NPMI - that peer's NPMI "
                  "(document co-occurrence). `holds`: the default is no slower than the faster "
                  "peer at equal or better NPMI.", ""]
        cols = ["corpus", "n_docs", "default_seconds", "fastest_peer", "fastest_peer_seconds",
                "time_ratio", "default_npmi", "fastest_peer_npmi", "npmi_diff",
                "npmi_window10_diff", "holds"]
        lines += [ratios[cols].to_markdown(index=False, floatfmt=".3f"), "",
                  "Against the most coherent peer:", ""]
        cols = ["corpus", "best_npmi_peer", "best_peer_seconds", "time_ratio_best_peer",
                "best_peer_npmi", "npmi_diff_best_peer"]
        lines += [ratios[cols].to_markdown(index=False, floatfmt=".3f"), ""]
        for r in ratios.itertuples():
            verdict = "holds" if r.holds else "does not hold"
            lines.append(f"- **{r.corpus}**: the claim {verdict}: framing's default took "
                         f"{r.default_seconds:.1f} s vs {r.fastest_peer_seconds:.1f} s for the "
                         f"fastest peer ({r.fastest_peer}), time ratio {r.time_ratio:.2f}, NPMI "
                         f"{r.default_npmi:.3f} vs {r.fastest_peer_npmi:.3f} "
                         f"(difference {r.npmi_diff:+.3f}).")
        lines.append("")
    return "\n".join(lines) + "\n"


def write_topic_results(table: pd.DataFrame, results: str | Path) -> pd.DataFrame:
    """Merge ``table`` into ``results/topics.csv`` (rows of the same corpus and model are
    replaced, others kept) and rewrite ``topics.md``; return the merged table."""
    results = Path(results)
    results.mkdir(parents=True, exist_ok=True)
    path = results / "topics.csv"
    merged = table
    if path.is_file():
        old = pd.read_csv(path)
        keep = ~old.set_index(["corpus", "key"]).index.isin(
            table.set_index(["corpus", "key"]).index)
        merged = pd.concat([old[keep], table], ignore_index=True)
    order = {k: i for i, k in enumerate(MODELS)}
    corpora = list(dict.fromkeys(merged["corpus"]))
    merged = (merged.assign(_c=merged["corpus"].map({c: i for i, c in enumerate(corpora)}),
                            _k=merged["key"].map(order))
              .sort_values(["_c", "_k"]).drop(columns=["_c", "_k"]).reset_index(drop=True))
    merged.to_csv(path, index=False, float_format="%.6g")
    (results / "topics.md").write_text(topics_markdown(merged), encoding="utf-8")
    logger.info("wrote %s and topics.md", path)
    return merged


def benchmark(documents: pd.DataFrame, out: Path, *, label: str = "real",
              models: Sequence[str] | None = None) -> pd.DataFrame:
    """Run :func:`peer_benchmark`, write ``benchmark_k20.csv`` to ``out`` and print it."""
    table = peer_benchmark(documents, label=label, models=models)
    table.to_csv(out / "benchmark_k20.csv", index=False)
    first = table.iloc[0]
    print(f"\n## K={K}, seed {SEED}: {int(first['n_docs'])} documents x "
          f"{int(first['n_terms'])} terms (vectorised once in "
          f"{first['vectorise_seconds']:.1f} s)\n")
    print(table[["model", "fit_seconds", "npmi_document", "npmi_window10", "exclusivity"]]
          .to_markdown(index=False, floatfmt=".3f"))
    return table


def read_corpus(path: str | Path) -> pd.DataFrame:
    """A documents table from a Parquet file or a folder of Parquet partitions (read in name
    order), e.g. a corpus written by ``bench_scale.py``."""
    path = Path(path)
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not files:
        raise FileNotFoundError(f"{path}: no Parquet files")
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def run_select_k(documents: pd.DataFrame, out: Path) -> None:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        result = select_k(documents, ks=[10, 20, 30, 40], seeds=[0, 1, 2], progress=True)
    result.table.to_csv(out / "select_k.csv", index=False)
    result.topics.to_csv(out / "select_k_topics.csv", index=False)
    grid = result.plot()
    grid.savefig(out / "select_k.png", dpi=150, bbox_inches="tight")
    print(f"\n## select_k (NMF), K x 3 seeds, {time.perf_counter() - start:.0f} s in all\n")
    print(result.summary().to_markdown())
    print(f"figure: {out / 'select_k.png'}")


def run_flagship(documents: pd.DataFrame, out: Path) -> None:
    from framing.events import assign_events

    events = assign_events(documents)
    # A document may match both flagship events: keep its best-matching event.
    best = (events[events["event_id"] != ""].sort_values("score", ascending=False)
            .drop_duplicates("doc_id"))
    docs = assign_groups(documents.merge(best[["doc_id", "event_id"]], on="doc_id",
                                         how="left"), grouping="flagship")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        model = TopicModel(K, random_state=SEED).fit(documents)
    labels = model.topic_labels()
    names = {t: f"{t}: {lab}" for t, lab in zip(labels["topic"], labels["label"], strict=True)}
    flagship = docs[docs["event_id"].isin(FLAGSHIP) & (docs["outlet_group"] != "")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # min_docs=3: FA-KES holds only three Russian/Syrian-government articles on these
        # events (all Sputnik); their intervals say how little that is.
        result = topic_prevalence(model.doc_topics(), documents=flagship, by="outlet_group",
                                  within="event_id", labels=names, reference="center",
                                  min_docs=3, random_state=SEED)
    result.table.to_csv(out / "flagship_topic_prevalence.csv", index=False)
    ax = result.plot()
    ax.figure.savefig(out / "flagship_topic_prevalence.png", dpi=150, bbox_inches="tight")
    prevalence = result.rows("prevalence").query("scope == 'all'")
    top = prevalence.groupby("feature")["estimate"].max().nlargest(8).index
    print("\n## Flagship events (pooled): topic prevalence by outlet group, 95% intervals\n")
    print(flagship.groupby("outlet_group", dropna=False).size().rename("documents")
          .to_frame().to_markdown())
    shown = prevalence[prevalence["feature"].isin(top)]
    print(shown[["group", "feature", "n_docs", "estimate", "ci_low", "ci_high"]]
          .to_markdown(index=False, floatfmt=".3f"))
    print("\nwarnings: " + "; ".join(dict.fromkeys(str(w.message) for w in caught)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-home", help="data home (default: $FRAMING_DATA)")
    parser.add_argument("--out", default="bench-topics", help="output folder")
    parser.add_argument("--corpus", help="Parquet file or folder of partitions to use instead "
                        "of the four news corpora")
    parser.add_argument("--label", help="corpus name in topics.csv (default: 'real', or the "
                        "--corpus folder name)")
    parser.add_argument("--models", help=f"comma-separated keys of {list(MODELS)}")
    parser.add_argument("--results", default=str(HERE / "results"),
                        help="where topics.csv/.md are written ('' for nowhere)")
    parser.add_argument("--skip-benchmark", action="store_true")
    parser.add_argument("--skip-select-k", action="store_true")
    parser.add_argument("--flagship", action="store_true",
                        help="also tabulate topic prevalence for the flagship events")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.corpus:
        documents = read_corpus(args.corpus)
        label = args.label or Path(args.corpus).name
    else:
        documents = load_corpus(CORPORA, data_home=args.data_home).documents
        label = args.label or "real"
    if not args.skip_benchmark:
        table = benchmark(documents, out, label=label,
                          models=args.models.split(",") if args.models else None)
        if args.results:
            merged = write_topic_results(table, args.results)
            ratios = peer_ratios(merged[merged["corpus"] == label])
            if not ratios.empty:
                print("\n## framing default vs the fastest peer\n")
                print(ratios.T.to_markdown())
    if not args.skip_select_k:
        run_select_k(documents, out)
    if args.flagship:
        run_flagship(documents, out)


if __name__ == "__main__":
    main()
