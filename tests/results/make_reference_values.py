"""Write the reference values that tests/test_compare_*.py check framing against.

Run from the repository root:  python tests/results/make_reference_values.py

Nothing here imports framing: every value comes from SciPy, statsmodels, ConvoKit's
FightingWords code, a formula written out by hand below, or a published table (quoted with its
source). See tests/results/README.md for what each entry is.

ConvoKit (``pip install convokit``) pulls in torch and spaCy; instead its source distribution is
downloaded (``pip download convokit==5.0.0 --no-deps``) and the method
``FightingWords._bayes_compare_language`` is run as published, with the imports it does not use
for this computation (clean-text, the ConvoKit corpus classes) stubbed. Set CONVOKIT_SRC to an
unpacked ``convokit-5.0.0`` folder to skip the download.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import types
from fractions import Fraction
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from scipy.spatial.distance import jensenshannon
from scipy.stats.contingency import association
from sklearn.feature_extraction.text import CountVectorizer
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

HERE = Path(__file__).resolve().parent


# ------------------------------------------------------------------------------ hand formulas
def fisher_two_sided_exact(table) -> Fraction:
    """Two-sided Fisher p-value as an exact fraction: sum of the hypergeometric probabilities
    of all tables with the observed margins that are no more probable than the observed one."""
    (a, b), (c, d) = table
    row1, col1, n = a + b, a + c, a + b + c + d
    total = comb(n, col1)
    prob = {x: Fraction(comb(row1, x) * comb(n - row1, col1 - x), total)
            for x in range(max(0, col1 - (n - row1)), min(row1, col1) + 1)}
    return sum((p for p in prob.values() if p <= prob[a]), Fraction(0))


def pearson_chi2(table) -> float:
    table = np.asarray(table, dtype=float)
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    return float(((table - expected) ** 2 / expected).sum())


def holm_by_hand(p):
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    m = len(p)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, (m - rank) * p[i])
        adj[i] = min(1.0, running)
    return adj


def bh_by_hand(p):
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)[::-1]
    m = len(p)
    adj = np.empty(m)
    running = 1.0
    for k, i in enumerate(order):
        rank = m - k
        running = min(running, p[i] * m / rank)
        adj[i] = running
    return adj


def wilson_by_hand(x, n):
    z = stats.norm.ppf(0.975)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def jsd_by_hand(p, q):
    p, q = np.asarray(p, float) / np.sum(p), np.asarray(q, float) / np.sum(q)
    m = (p + q) / 2

    def h(x):
        x = x[x > 0]
        return -np.sum(x * np.log2(x))

    return h(m) - (h(p) + h(q)) / 2


def g2_by_hand(a, b, c, d):
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    return 2 * ((a * np.log(a / e1) if a else 0.0) + (b * np.log(b / e2) if b else 0.0))


def newton_logit_cluster(y, X, groups):
    """Logit MLE by Newton's method and the CR1 cluster-robust covariance
    G/(G-1) * (N-1)/(N-K) * H^-1 (sum_g s_g s_g') H^-1, written out in NumPy."""
    beta = np.zeros(X.shape[1])
    for _ in range(100):
        mu = 1 / (1 + np.exp(-X @ beta))
        score = X.T @ (y - mu)
        hess = X.T @ (X * (mu * (1 - mu))[:, None])
        step = np.linalg.solve(hess, score)
        beta += step
        if np.max(np.abs(step)) < 1e-14:
            break
    mu = 1 / (1 + np.exp(-X @ beta))
    hess_inv = np.linalg.inv(X.T @ (X * (mu * (1 - mu))[:, None]))
    scores = X * (y - mu)[:, None]
    labels = np.unique(groups)
    meat = sum(np.outer(s, s) for s in (scores[groups == g].sum(0) for g in labels))
    n, k, g = X.shape[0], X.shape[1], len(labels)
    cov = g / (g - 1) * (n - 1) / (n - k) * hess_inv @ meat @ hess_inv
    return beta, np.sqrt(np.diag(cov))


# ------------------------------------------------------------------------------ ConvoKit
def convokit_fighting_words():
    src = os.environ.get("CONVOKIT_SRC")
    tmp = None
    if not src:
        tmp = tempfile.mkdtemp()
        subprocess.run([sys.executable, "-m", "pip", "download", "convokit==5.0.0", "--no-deps",
                        "--no-binary", ":all:", "-d", tmp], check=True)
        archive = next(Path(tmp).glob("convokit-5.0.0.tar.gz"))
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        src = str(Path(tmp) / "convokit-5.0.0")
    path = Path(src) / "convokit" / "fighting_words" / "fightingWords.py"
    stubs = {"cleantext": types.SimpleNamespace(clean=lambda s, **_: s),
             "convokit": types.SimpleNamespace(Transformer=object),
             "convokit.model": types.SimpleNamespace(Corpus=object, CorpusComponent=object)}
    saved = {k: sys.modules.get(k) for k in stubs}
    sys.modules.update(stubs)
    try:
        spec = importlib.util.spec_from_file_location("convokit_fighting_words", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return module.FightingWords, str(path)


FIGHTING_TEXTS = {
    "class1": [
        "the regime dropped chemical bombs on the town and children died",
        "witnesses blamed the regime for the chemical attack on the town",
        "doctors treated children after the sarin attack blamed on the regime",
        "the regime denied the attack but witnesses saw the jets",
        "the chemical attack killed children and the regime was blamed",
    ],
    "class2": [
        "the terrorists staged the attack to provoke the strike",
        "officials said the chemical depot belonged to the terrorists",
        "the strike was an act of aggression against a sovereign state",
        "the attack was staged and the strike violated international law",
        "terrorists stored chemical weapons in the depot officials said",
        "the aggression against the state was condemned by officials",
    ],
}


def main() -> None:
    ref: dict[str, dict] = {}

    # Fisher's tea-tasting table (Fisher 1935; Agresti 2002, Categorical Data Analysis,
    # 2nd ed., section 3.5.1): two-sided p = 34/70 exactly.
    tea = [[3, 1], [1, 3]]
    ref["fisher_tea"] = {
        "table": tea, "p_value_exact": float(fisher_two_sided_exact(tea)),
        "p_value_fraction": str(fisher_two_sided_exact(tea)),
        "odds_ratio": 9.0, "scipy_p_value": float(stats.fisher_exact(tea).pvalue),
        "source": "Fisher (1935) tea tasting; p = (1+16+16+1)/70 by hand enumeration"}
    small = [[2, 9], [7, 3]]
    ref["fisher_small"] = {
        "table": small, "p_value_exact": float(fisher_two_sided_exact(small)),
        "scipy_p_value": float(stats.fisher_exact(small).pvalue),
        "odds_ratio": float(stats.fisher_exact(small).statistic),
        "source": "hand enumeration (exact fractions) and scipy.stats.fisher_exact"}

    # Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.5:
    # party identification by gender, X^2 = 30.1 with df = 2 (published to one decimal).
    party = [[762, 327, 468], [484, 239, 477]]
    res = stats.chi2_contingency(party, correction=False)
    ref["chi2_party_gender"] = {
        "table": party, "statistic": float(res.statistic), "p_value": float(res.pvalue),
        "dof": int(res.dof), "statistic_by_hand": pearson_chi2(party),
        "cramers_v": float(association(party, method="cramer")),
        "published_statistic": 30.1,
        "source": "Agresti (2007) Table 2.5 (published X2 = 30.1); scipy.stats.chi2_contingency "
                  "(correction=False); scipy.stats.contingency.association"}
    two = [[30, 20], [18, 32]]
    res = stats.chi2_contingency(two, correction=False)
    ref["chi2_2x2"] = {"table": two, "statistic": float(res.statistic),
                       "p_value": float(res.pvalue), "statistic_by_hand": pearson_chi2(two),
                       "cramers_v": float(association(two, method="cramer")),
                       "source": "scipy.stats.chi2_contingency(correction=False)"}

    # Wilson intervals: Newcombe (1998a) Stat Med 17:857-872, Table I (4 decimals).
    wilson = []
    for x, n, low, high in [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605),
                            (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)]:
        sm_low, sm_high = proportion_confint(x, n, method="wilson")
        hand = wilson_by_hand(x, n)
        wilson.append({"count": x, "nobs": n, "published": [low, high],
                       "statsmodels": [float(sm_low), float(sm_high)],
                       "by_hand": [float(max(hand[0], 0.0)), float(hand[1])]})
    ref["wilson"] = {"cases": wilson, "source": "Newcombe (1998a) Table I; statsmodels "
                     "proportion_confint(method='wilson'); Wilson's formula by hand"}

    # Newcombe (1998b) Stat Med 17:873-890, Table II, method 10 (hybrid score), 4 decimals.
    newcombe = []
    for x1, n1, x2, n2, low, high in [(56, 70, 48, 80, 0.0524, 0.3339),
                                      (9, 10, 3, 10, 0.1705, 0.8090),
                                      (6, 7, 2, 7, 0.0582, 0.8062),
                                      (5, 56, 0, 29, -0.0381, 0.1926)]:
        sm_low, sm_high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb",
                                                     compare="diff")
        newcombe.append({"counts": [x1, n1, x2, n2], "published": [low, high],
                         "statsmodels": [float(sm_low), float(sm_high)]})
    ref["newcombe"] = {"cases": newcombe, "source": "Newcombe (1998b) Table II method 10; "
                       "statsmodels confint_proportions_2indep(method='newcomb')"}

    # Multiple comparisons.
    p = [0.01, 0.04, 0.03, 0.005, 0.20, 0.049]
    ref["adjust"] = {"p": p, "holm_by_hand": holm_by_hand(p).tolist(),
                     "bh_by_hand": bh_by_hand(p).tolist(),
                     "holm_statsmodels": multipletests(p, method="holm")[1].tolist(),
                     "bh_statsmodels": multipletests(p, method="fdr_bh")[1].tolist(),
                     "source": "Holm (1979) and Benjamini & Hochberg (1995) step procedures by "
                               "hand; statsmodels.stats.multitest.multipletests"}

    # Jensen-Shannon divergence.
    pq = ([0.5, 0.3, 0.2, 0.0], [0.1, 0.2, 0.3, 0.4])
    ref["jsd"] = {"p": pq[0], "q": pq[1], "by_hand": float(jsd_by_hand(*pq)),
                  "scipy": float(jensenshannon(pq[0], pq[1], base=2) ** 2),
                  "source": "JSD = H(M) - (H(P)+H(Q))/2 in bits by hand; "
                            "scipy.spatial.distance.jensenshannon(base=2) squared"}

    # Log-likelihood G2 (Rayson & Garside 2000).
    g2 = []
    for a, b, c, d in [(120, 40, 10000, 12000), (3, 0, 500, 800), (15, 30, 2000, 2100)]:
        res = stats.power_divergence([a, b], [c * (a + b) / (c + d), d * (a + b) / (c + d)],
                                     lambda_="log-likelihood")
        g2.append({"counts": [a, b, c, d], "by_hand": float(g2_by_hand(a, b, c, d)),
                   "scipy_statistic": float(res.statistic),
                   "p_value": float(stats.chi2.sf(res.statistic, 1))})
    ref["g2"] = {"cases": g2, "source": "Rayson & Garside (2000) formula by hand; "
                 "scipy.stats.power_divergence(lambda_='log-likelihood') on the word's two "
                 "cells; chi-square(1) survival function"}

    # Welch's t-test and the t interval.
    x = [-0.8, -0.6, -0.7, -0.1, -0.5, -0.9, 0.2]
    y = [0.1, -0.2, 0.0, 0.3, -0.4]
    res = stats.ttest_ind(x, y, equal_var=False)
    ci = res.confidence_interval(0.95)
    tint = stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    ref["welch"] = {"x": x, "y": y, "statistic": float(res.statistic),
                    "p_value": float(res.pvalue), "ci": [float(ci.low), float(ci.high)],
                    "t_interval_x": [float(tint[0]), float(tint[1])],
                    "source": "scipy.stats.ttest_ind(equal_var=False); scipy.stats.t.interval"}

    # VADER's README example.
    ref["vader"] = {"text": "VADER is smart, handsome, and funny.", "compound": 0.8316,
                    "source": "vaderSentiment README (Hutto & Gilbert 2014)"}

    # Logistic regression with event fixed effects and outlet clusters.
    rng = np.random.default_rng(2017)
    outlets = {f"outlet{i:02d}": lean for i, lean in
               enumerate(["center"] * 5 + ["left"] * 5 + ["right"] * 6)}
    effect = {"center": -0.4, "left": -0.9, "right": 0.5}
    events = {"ev-a": 0.0, "ev-b": 0.6, "ev-c": -0.5}
    outlet_shift = {o: rng.normal(0, 0.5) for o in outlets}
    rows = []
    for i in range(420):
        o = rng.choice(list(outlets))
        e = rng.choice(list(events))
        eta = effect[outlets[o]] + events[e] + outlet_shift[o]
        rows.append({"doc_id": f"doc{i:03d}", "outlet": o, "outlet_lean": outlets[o],
                     "event_id": e, "present": int(rng.random() < 1 / (1 + np.exp(-eta)))})
    data = pd.DataFrame(rows)
    data.to_csv(HERE / "logit_cluster_data.csv", index=False)
    codes = pd.factorize(data["outlet"], sort=True)[0]
    fit = smf.logit("present ~ C(outlet_lean, Treatment('center')) + C(event_id)",
                    data=data).fit(disp=0, method="newton", tol=1e-14, maxiter=100,
                                   cov_type="cluster", cov_kwds={"groups": codes})
    X = sm.add_constant(pd.get_dummies(data[["outlet_lean", "event_id"]], drop_first=True)
                        .astype(float)).to_numpy()
    beta, se = newton_logit_cluster(data["present"].to_numpy(float), X, codes)
    logit = {}
    for j, g in enumerate(["left", "right"], start=1):
        name = f"C(outlet_lean, Treatment('center'))[T.{g}]"
        logit[g] = {"coef_statsmodels": float(fit.params[name]),
                    "se_statsmodels": float(fit.bse[name]),
                    "z_statsmodels": float(fit.tvalues[name]),
                    "p_statsmodels": float(fit.pvalues[name]),
                    "coef_numpy": float(beta[j]), "se_numpy": float(se[j]),
                    "p_numpy": float(2 * stats.norm.sf(abs(beta[j] / se[j])))}
    ref["logit_cluster"] = {"data": "logit_cluster_data.csv", "reference": "center",
                            "groups": logit,
                            "source": "statsmodels Logit (formula API, Newton, cov_type="
                                      "'cluster' by outlet) and a NumPy Newton fit with the CR1 "
                                      "sandwich G/(G-1)(N-1)/(N-K) H^-1 B H^-1"}

    # Fightin' words: ConvoKit's FightingWords._bayes_compare_language, uniform prior 0.1.
    FightingWords, path = convokit_fighting_words()
    texts = FIGHTING_TEXTS["class1"] + FIGHTING_TEXTS["class2"]
    vocab = sorted(CountVectorizer().fit(texts).vocabulary_)
    fw = types.SimpleNamespace(text_func=lambda s: s, cv=CountVectorizer(vocabulary=vocab),
                               prior=0.1, _count_matrix=None)
    zscores = FightingWords._bayes_compare_language(fw, FIGHTING_TEXTS["class1"],
                                                    FIGHTING_TEXTS["class2"])
    ref["fighting_words"] = {"texts": FIGHTING_TEXTS, "vocabulary": vocab, "prior": 0.1,
                             "z_class1": {k: float(v) for k, v in zscores.items()},
                             "source": f"ConvoKit 5.0.0 {path.split('convokit-5.0.0/')[-1]}, "
                                       "FightingWords._bayes_compare_language (class1 vs "
                                       "class2, uniform prior 0.1, CountVectorizer with this "
                                       "vocabulary)"}

    with open(HERE / "reference_values.json", "w", encoding="utf-8") as handle:
        json.dump(ref, handle, indent=1, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
