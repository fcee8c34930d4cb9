"""Command-line interface: ``framing corpora|fetch|validate|summary|versions``.

Library code logs; only this module writes to the terminal (tables on stdout, logs on stderr).
"""

from __future__ import annotations

import argparse
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
