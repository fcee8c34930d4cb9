"""Render report sections to one self-contained HTML file and to Markdown (jinja2).

HTML autoescaping is on for every value, so corpus text (titles, evidence sentences) can never
inject markup or scripts; figures are embedded as base64 PNG so the file reads offline. In the
Markdown every value is escaped too (``<``, ``>``, ``&``, and ``|`` inside tables).
"""

from __future__ import annotations

import base64
import math

import jinja2
import numpy as np
import pandas as pd

__all__ = ["render_html", "render_markdown", "format_cell"]


def _environment(autoescape: bool, finalize=None) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("framing.report", "templates"),
                              autoescape=autoescape, finalize=finalize,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def format_cell(value) -> tuple[str, bool]:
    """A table cell as text (3 decimals for floats) and whether it is numeric."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "", False
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)), False
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}", True
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return "", False
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
            return f"{value:.2e}", True
        return f"{value:.3f}", True
    return str(value), False


def _rows(frame: pd.DataFrame) -> list[list[dict]]:
    return [[dict(zip(("text", "num"), format_cell(v), strict=True)) for v in row]
            for row in frame.itertuples(index=False)]


class _Raw(str):
    """Text the Markdown renderer must not escape (already-built tables)."""


def _md_escape(value) -> str:
    if isinstance(value, _Raw):
        return value
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_table(frame: pd.DataFrame) -> _Raw:
    if frame.empty:
        return _Raw("(no rows)")
    cells = [[_md_escape(c["text"]).replace("|", "\\|").replace("\n", " ") for c in row]
             for row in _rows(frame)]
    header = [_md_escape(c).replace("|", "\\|") for c in map(str, frame.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return _Raw("\n".join(lines))


def _blocks(sections, markdown: bool) -> list[dict]:
    out = []
    for section in sections:
        blocks = []
        for b in section.blocks:
            item = {"kind": b.kind, "text": b.text, "entries": b.items, "table": b.table,
                    "figure": b.figure, "caption": b.caption}
            if b.kind == "table":
                item["columns"] = [str(c) for c in b.frame.columns]
                item["rows"] = _rows(b.frame)
                if markdown:
                    item["markdown"] = _md_table(b.frame)
            elif b.kind == "evidence":
                item["examples"] = b.frame.fillna("").to_dict(orient="records")
            blocks.append(item)
        out.append({"id": section.id, "title": section.title, "blocks": blocks})
    return out


def render_html(sections, *, header: dict, images: dict[str, bytes]) -> str:
    """The self-contained HTML report."""
    encoded = {name: base64.b64encode(data).decode("ascii") for name, data in images.items()}
    template = _environment(True).get_template("report.html.j2")
    return template.render(sections=_blocks(sections, False), images=encoded, **header)


def render_markdown(sections, *, header: dict) -> str:
    """The Markdown report (figures linked from ``figures/``)."""
    template = _environment(False, finalize=_md_escape).get_template("report.md.j2")
    return template.render(sections=_blocks(sections, True), **header)
