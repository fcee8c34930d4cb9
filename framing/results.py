"""Result objects returned by every comparison: a tidy table, a summary, a figure, the parameters.

The table has one row per estimate and the columns of the *comparison* schema
(:data:`COMPARISON_COLUMNS`, see ``ARCHITECTURE.md``):

``scope``
    ``"all"`` (pooled) or the event the row is about.
``group``, ``reference``
    The group the estimate is about and, for a contrast, the group it is compared with
    (``""`` when there is none). ``"*"`` in ``group`` marks an omnibus test across all groups.
``feature_kind``, ``feature``
    What was measured (``frame`` / ``iraq_analogy``, ``term`` / ``regime``, ``actor`` /
    ``assad``); ``"*"`` in ``feature`` marks a test over every category of ``feature_kind``.
``n_docs``
    Documents behind the estimate (those of ``group``; of all groups for omnibus rows).
``estimate``, ``ci_low``, ``ci_high``
    The estimate and its interval (``confidence`` in :attr:`ComparisonResult.params`).
``statistic``, ``p_value``, ``p_adjusted``
    Test statistic, raw p-value and p-value adjusted within the row's family of tests (rows of
    the same kind of test and scope; see :meth:`ComparisonResult.families`).
``method``
    What produced the row, in words.
"""

from __future__ import annotations

import html
import json
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from tabulate import tabulate

from .errors import SchemaError
from .inference import adjust_pvalues
from .schema import COMPARISON_COLUMNS, require_columns

__all__ = [
    "validate_comparison",
    "Summary",
    "SummaryExports",
    "ComparisonResult",
]

_TEXT = ("scope", "group", "reference", "feature_kind", "feature", "method")
_NUMBERS = ("estimate", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted")


def validate_comparison(table: pd.DataFrame) -> pd.DataFrame:
    """Check a comparison table (columns, numeric columns, p-values in [0, 1]); return it.

    Examples
    --------
    >>> row = {"scope": "all", "group": "left", "reference": "", "feature_kind": "frame",
    ...        "feature": "iraq_analogy", "n_docs": 40, "estimate": 0.25, "ci_low": 0.14,
    ...        "ci_high": 0.40, "statistic": float("nan"), "p_value": float("nan"),
    ...        "p_adjusted": float("nan"), "method": "share"}
    >>> validate_comparison(pd.DataFrame([row])).shape
    (1, 13)
    """
    require_columns(table, COMPARISON_COLUMNS, table="comparison")
    for col in (*_NUMBERS, "n_docs"):
        if not pd.api.types.is_numeric_dtype(table[col]):
            raise SchemaError(f"comparison column {col!r} has dtype {table[col].dtype}; "
                              "expected numbers (NaN where there is no value).")
    for col in ("p_value", "p_adjusted"):
        bad = table[col].notna() & ~table[col].between(0, 1)
        if bad.any():
            raise SchemaError(f"comparison column {col!r} holds {table.loc[bad, col].iloc[0]}, "
                              "outside [0, 1].")
    return table


def _format_cell(value) -> str:
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ""
        if value != 0 and abs(value) < 1e-3:
            return f"{value:.2e}"
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.4g}"
    return str(value)


def _formatted(table: pd.DataFrame) -> pd.DataFrame:
    """Strings for display; columns empty in every row are left out."""
    keep = [c for c in table.columns
            if not (table[c].isna().all() or (table[c].astype(str) == "").all())]
    return table[keep].map(_format_cell) if len(table) else table[keep].astype(str)


def _tabulate(table: pd.DataFrame, fmt: str) -> str:
    shown = _formatted(table)
    align = ["right" if pd.api.types.is_numeric_dtype(table[c]) else "left"
             for c in shown.columns]
    return tabulate(shown, headers="keys", tablefmt=fmt, showindex=False,
                    disable_numparse=True, colalign=align)


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


class Summary:
    """A printable summary: title, parameters, table and notes.

    Renders as HTML in Jupyter, as plain text with :func:`print`, and exports Markdown
    (:meth:`to_markdown`) and LaTeX (:meth:`to_latex`).
    """

    def __init__(self, title: str, table: pd.DataFrame, params: Mapping | None = None,
                 notes: Sequence[str] = ()):
        self.title = title
        self.table = table
        self.params = dict(params or {})
        self.notes = tuple(notes)

    def _param_text(self) -> str:
        return "; ".join(f"{k}={v!r}" for k, v in self.params.items())

    def as_text(self) -> str:
        """Plain-text rendering."""
        parts = [self.title, "=" * len(self.title)]
        if self.params:
            parts.append(self._param_text())
        parts.append(_tabulate(self.table, "simple"))
        parts.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(parts)

    __str__ = as_text

    def __repr__(self) -> str:
        return self.as_text()

    def to_markdown(self) -> str:
        """Markdown: a heading, the parameters, a pipe table and the notes."""
        parts = [f"**{self.title}**", ""]
        if self.params:
            parts += [self._param_text(), ""]
        parts.append(_tabulate(self.table, "pipe"))
        if self.notes:
            parts += ["", *(f"- {n}" for n in self.notes)]
        return "\n".join(parts) + "\n"

    def to_latex(self) -> str:
        """A LaTeX ``table`` (booktabs) with the title as caption and the notes below."""
        body = _tabulate(self.table, "latex_booktabs")
        notes = "".join(f"\\par\\footnotesize Note: {_latex_escape(n)}\n" for n in self.notes)
        return (f"\\begin{{table}}\n\\centering\n\\caption{{{_latex_escape(self.title)}}}\n"
                f"{body}\n{notes}\\end{{table}}\n")

    def _repr_html_(self) -> str:
        params = (f"<p><small>{html.escape(self._param_text())}</small></p>"
                  if self.params else "")
        notes = "".join(f"<p><small>Note: {html.escape(n)}</small></p>" for n in self.notes)
        return (f"<h4>{html.escape(self.title)}</h4>{params}"
                f"{_formatted(self.table).to_html(index=False, na_rep='')}{notes}")


class SummaryExports:
    """Mixin for result objects with a ``summary()`` returning a :class:`Summary`: Markdown,
    LaTeX and Jupyter renderings all come from that one summary."""

    def to_markdown(self) -> str:
        """Markdown of :meth:`summary`."""
        return self.summary().to_markdown()

    def to_latex(self) -> str:
        """LaTeX of :meth:`summary`."""
        return self.summary().to_latex()

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


class ComparisonResult:
    """What every comparison returns.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per estimate, in the comparison schema (a copy).
    params : dict
        Parameters that produced the result, including the resolved ``random_state`` seed.
    title : str
        What was compared.
    notes : tuple of str
        Caveats found while computing (small cells, few clusters, dropped rows).

    Notes
    -----
    ``p_adjusted`` is computed within *families* (:meth:`families`): by default rows of the
    same kind (``omnibus``, ``pairwise``, ``regression`` ...) and scope, across every feature
    in the result. :meth:`adjust` recomputes it with another method.
    """

    #: Row kinds shown by default in :meth:`summary` and :meth:`plot` (all when empty).
    summary_kinds: tuple[str, ...] = ()
    plot_kind: str | None = None

    def __init__(self, table: pd.DataFrame, *, kinds: Sequence[str], params: Mapping,
                 title: str, correction: str | None = None, notes: Sequence[str] = (),
                 families: Sequence[str] | None = None):
        table = table.reindex(columns=list(COMPARISON_COLUMNS)).reset_index(drop=True)
        for col in _TEXT:
            table[col] = table[col].fillna("").astype(str)
        table["n_docs"] = pd.to_numeric(table["n_docs"]).astype("int64")
        for col in _NUMBERS:
            table[col] = pd.to_numeric(table[col]).astype(float)
        if len(kinds) != len(table):
            raise SchemaError(f"{len(kinds)} row kinds for {len(table)} rows.")
        self._kinds = np.asarray(kinds, dtype=object)
        self._families = (np.asarray([f"{k}|{s}" for k, s in zip(kinds, table["scope"],
                                                                  strict=True)], dtype=object)
                          if families is None else np.asarray(families, dtype=object))
        if len(self._families) != len(table):
            raise SchemaError(f"{len(self._families)} test families for {len(table)} rows.")
        self._table = validate_comparison(table)
        self._params = dict(params)
        self.title = title
        self.notes = tuple(dict.fromkeys(notes))
        if correction is not None:
            self._table["p_adjusted"] = self._adjusted(correction)
            self._params["correction"] = correction

    # ------------------------------------------------------------------ access
    @property
    def table(self) -> pd.DataFrame:
        """The comparison table (a copy)."""
        return self._table.copy()

    @property
    def params(self) -> dict:
        """Parameters that produced the result (a copy)."""
        return dict(self._params)

    @property
    def kinds(self) -> pd.Series:
        """Kind of each row of :attr:`table` (``share``, ``omnibus``, ``pairwise`` ...)."""
        return pd.Series(self._kinds, name="kind")

    def families(self) -> pd.Series:
        """Family of tests of each row (by default ``kind|scope``): p-values are adjusted within
        a family."""
        return pd.Series(self._families, name="family")

    def _adjusted(self, correction: str) -> np.ndarray:
        out = np.full(len(self._table), np.nan)
        p = self._table["p_value"].to_numpy()
        for family in pd.unique(self._families):
            rows = np.flatnonzero(self._families == family)
            out[rows] = adjust_pvalues(p[rows], correction)
        return out

    def adjust(self, correction: str) -> ComparisonResult:
        """The same result with ``p_adjusted`` recomputed by ``correction`` (``"holm"``,
        ``"fdr_bh"`` ...; see :data:`framing.inference.CORRECTIONS`)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._table = self._table.copy()
        new._table["p_adjusted"] = self._adjusted(correction)
        new._params = {**self._params, "correction": correction}
        return new

    def rows(self, kind: str) -> pd.DataFrame:
        """The rows of one kind (e.g. ``"pairwise"``)."""
        return self._table[self._kinds == kind].reset_index(drop=True)

    # ------------------------------------------------------------------ summaries
    def _summary_table(self, kinds: Sequence[str] | None) -> pd.DataFrame:
        kinds = kinds if kinds is not None else self.summary_kinds
        table = self._table.assign(kind=self._kinds)
        if kinds:
            table = table[table["kind"].isin(kinds)]
        return table[["kind", *COMPARISON_COLUMNS]].reset_index(drop=True)

    def summary(self, kinds: Sequence[str] | None = None) -> Summary:
        """A :class:`Summary` of the rows of ``kinds`` (default: the result's main rows).

        The ``method`` column is listed once per kind of row below the table.
        """
        table = self._summary_table(kinds)
        methods = [f"{kind}: {method}" for kind, method
                   in table[["kind", "method"]].drop_duplicates().itertuples(index=False)]
        return Summary(self.title, table.drop(columns="method"), self._params,
                       (*methods, *self.notes))

    def to_markdown(self, kinds: Sequence[str] | None = None) -> str:
        """Markdown of :meth:`summary`."""
        return self.summary(kinds).to_markdown()

    def to_latex(self, kinds: Sequence[str] | None = None) -> str:
        """LaTeX of :meth:`summary`."""
        return self.summary(kinds).to_latex()

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __repr__(self) -> str:
        counts = pd.Series(self._kinds).value_counts().to_dict()
        return f"<{type(self).__name__} {self.title!r}: {len(self._table)} rows {counts}>"

    def to_json(self) -> str:
        """Parameters, notes and table as JSON (for manifests and reports)."""
        return json.dumps({"title": self.title, "params": self._params, "notes": self.notes,
                           "table": json.loads(self._table.assign(kind=self._kinds)
                                               .to_json(orient="records"))},
                          default=str, indent=1)

    # ------------------------------------------------------------------ figure
    def plot(self, kind: str | None = None, *, scope: str = "all",
             feature_kind: str | None = None, ax=None, palette=None):
        """Estimates with their intervals, one line per feature and group.

        Parameters
        ----------
        kind : str, optional
            Row kind to draw (default :attr:`plot_kind`).
        scope : str
            Scope drawn (``"all"`` or an event).
        feature_kind : str, optional
            Draw only this kind of feature.
        ax : matplotlib Axes, optional
        palette : seaborn palette name or list, optional

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        kind = kind or self.plot_kind
        rows = self.rows(kind) if kind else self.table
        rows = rows[rows["scope"] == scope]
        if feature_kind is not None:
            rows = rows[rows["feature_kind"] == feature_kind]
        several = rows["feature_kind"].nunique() > 1
        name = (rows["feature_kind"] + ": " + rows["feature"]) if several else rows["feature"]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 1.5 + 0.5 * name.nunique()), layout="constrained")
        if rows.empty:
            return ax
        label = rows["group"] + np.where(rows["reference"] != "", " vs " + rows["reference"], "")
        features = list(dict.fromkeys(name))
        labels = list(dict.fromkeys(label))
        colors = dict(zip(labels, sns.color_palette(palette, len(labels)), strict=True))
        step = 0.8 / len(labels)
        y = (name.map(features.index).to_numpy()
             + np.array([labels.index(lab) for lab in label]) * step - 0.4 + step / 2)
        frame = pd.DataFrame({"estimate": rows["estimate"].to_numpy(), "y": y,
                              "label": label.to_numpy()})
        ax.hlines(y, rows["ci_low"], rows["ci_high"], colors=[colors[lab] for lab in label])
        sns.scatterplot(data=frame, x="estimate", y="y", hue="label", palette=colors, ax=ax,
                        zorder=3)
        ax.set_yticks(range(len(features)), features)
        ax.set_ylim(len(features) - 0.5, -0.5)
        ax.set_ylabel("" if several else rows["feature_kind"].iloc[0])
        ax.set_xlabel(f"{kind or 'estimate'}: {rows['method'].iloc[0].split(';')[-1].strip()}")
        ax.set_title(textwrap.fill(f"{self.title} (scope: {scope})", 60), fontsize="medium")
        ax.legend(title=None, fontsize="small")
        return ax
