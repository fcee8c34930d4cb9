"""Benchmark: framing's topic models against gensim and tomotopy on all news corpora.

Not a test. Run from a checkout with the corpora in the data home::

    FRAMING_DATA=../shared/corpora python benchmarks/bench_topics.py --out /tmp/bench-topics

What it does, on the four news corpora together (about 4,100 articles):

1. Vectorises the texts once with ``make_vectorizer("count", min_df=5, max_df=0.5)``. Every model
   gets exactly these counts (the same vocabulary): framing's models through a prefit
   vectorizer, gensim through ``Sparse2Corpus``, tomotopy as bags of words rebuilt from the same
   matrix (word order does not matter to LDA).
2. Fits K=20 topics with seed 0: framing's default (NMF), framing's LDA and MiniBatchNMF, gensim
   ``LdaMulticore`` (its default single pass, and 10 passes) and tomotopy ``LDAModel`` (200 and
   1000 Gibbs iterations), timing the fit only (the shared vectorisation is reported apart).
3. Scores every model's top 10 terms with the same functions: NPMI with document co-occurrence
   (the default), NPMI in sliding windows of 10 tokens, and exclusivity.
4. Runs ``select_k`` over K in {10, 20, 30, 40} x seeds {0, 1, 2} (unless ``--skip-select-k``).
5. With ``--flagship``, assigns the flagship events (``framing.events.assign_events``) and
   tabulates topic prevalence by outlet group for them.

Tables and figures are written to ``--out``; the tables are also printed as Markdown.
Timings depend on the machine and on what else runs on it: run twice before quoting them.
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
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


def benchmark(documents: pd.DataFrame, out: Path) -> pd.DataFrame:
    start = time.perf_counter()
    vec = make_vectorizer("count", min_df=5, max_df=0.5)
    counts = vec.fit_transform(documents["text"]).tocsr().astype(np.float64)
    vocabulary = vec.get_feature_names_out().astype(object)
    vectorise = time.perf_counter() - start
    analyzer = vec.build_analyzer()
    tokens = [analyzer(t) for t in documents["text"]]
    logger.info("vectorised %d documents x %d terms in %.1f s", counts.shape[0],
                counts.shape[1], vectorise)

    runs = [("framing NMF (default)", lambda: fit_framing(counts, vec, "nmf")),
            ("framing MiniBatchNMF", lambda: fit_framing(counts, vec, "minibatch-nmf")),
            ("framing LDA (sklearn, batch VB, 20 iter)", lambda: fit_framing(counts, vec, "lda")),
            ("gensim LdaMulticore (passes=1, default)", lambda: fit_gensim(counts, vocabulary, 1)),
            ("gensim LdaMulticore (passes=10)", lambda: fit_gensim(counts, vocabulary, 10)),
            ("tomotopy LDAModel (200 iter, 2 workers)",
             lambda: fit_tomotopy(counts, vocabulary, 200)),
            ("tomotopy LDAModel (1000 iter, 2 workers)",
             lambda: fit_tomotopy(counts, vocabulary, 1000))]
    rows = []
    for name, run in runs:
        seconds, topic_word = run()
        terms = top_terms(topic_word, vocabulary)
        rows.append({"model": name, "fit_seconds": seconds,
                     "npmi_document": npmi_coherence(terms, counts, vocabulary=vocabulary).mean(),
                     "npmi_window10": npmi_coherence(terms, tokens, window=10).mean(),
                     "exclusivity": exclusivity(topic_word, n_terms=N_TERMS).mean()})
        logger.info("%s: %.1f s, NPMI %.3f", name, seconds, rows[-1]["npmi_document"])
    table = pd.DataFrame(rows)
    table.to_csv(out / "benchmark_k20.csv", index=False)
    print(f"\n## K={K}, seed {SEED}: {counts.shape[0]} documents x {counts.shape[1]} terms "
          f"(vectorised once in {vectorise:.1f} s)\n")
    print(table.to_markdown(index=False, floatfmt=".3f"))
    return table


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
    parser.add_argument("--skip-benchmark", action="store_true")
    parser.add_argument("--skip-select-k", action="store_true")
    parser.add_argument("--flagship", action="store_true",
                        help="also tabulate topic prevalence for the flagship events")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    documents = load_corpus(CORPORA, data_home=args.data_home).documents
    if not args.skip_benchmark:
        benchmark(documents, out)
    if not args.skip_select_k:
        run_select_k(documents, out)
    if args.flagship:
        run_flagship(documents, out)


if __name__ == "__main__":
    main()
