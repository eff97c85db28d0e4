"""Command line: `python -m pipeline extract INPUT... [--db PATH]` and friends."""

from __future__ import annotations

import argparse
import logging
import sys

from pipeline import EXTRACTOR_VERSION

DEFAULT_DB = "data/processed/targets.duckdb"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn budget disclosures (绩效目标表 in PDFs, scans, spreadsheets, text dumps) "
        "into one DuckDB database of performance targets.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {EXTRACTOR_VERSION}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ex = sub.add_parser(
        "extract",
        help="extract files or folders into the database",
        description="Extract every document found in INPUT (files, or folders searched "
        "recursively) into the DuckDB database. Documents already extracted "
        "by this version are skipped; a changed file replaces its old rows.",
    )
    ex.add_argument("inputs", nargs="+", metavar="INPUT", help="file or folder")
    ex.add_argument("--db", default=DEFAULT_DB, help=f"DuckDB file to write (default {DEFAULT_DB})")
    ex.add_argument("--force", action="store_true", help="re-extract documents already in the database")
    ex.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")
    ex.add_argument("--log-dir", help="where the per-run log goes (default: logs/ beside the database)")

    ck = sub.add_parser(
        "checks",
        help="list the consistency checks raised in a database",
        description="Print the checks table (total ≠ Σ lines, unparsed values, …).",
    )
    ck.add_argument("--db", default=DEFAULT_DB)
    ck.add_argument("--severity", choices=["error", "warning", "info"], help="only this severity")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    logging.basicConfig(format="%(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)  # the console shows problems; the run log shows everything
    logging.getLogger("pipeline").setLevel(logging.INFO)
    if args.command == "extract":
        from pipeline.batch import run

        summary, code = run(args.inputs, args.db, force=args.force, quiet=args.quiet, log_dir=args.log_dir)
        if not args.quiet:
            print(summary.render(), file=sys.stderr)
        return code
    if args.command == "checks":
        return _print_checks(args.db, args.severity)
    return 2


def _print_checks(db: str, severity: str | None) -> int:
    from pipeline.load import connect

    try:
        con = connect(db, read_only=True)
    except Exception as e:  # noqa: BLE001
        print(f"cannot open {db}: {e}", file=sys.stderr)
        return 2
    sql = (
        'SELECT d.source_path, c.severity, c."check", c.detail FROM checks c '
        "JOIN target_tables t USING (table_id) JOIN documents d USING (doc_id)"
    )
    params: list[str] = []
    if severity:
        sql += " WHERE c.severity = ?"
        params.append(severity)
    for path, sev, check, detail in con.execute(sql + " ORDER BY 1, 3", params).fetchall():
        print(f"{sev:7s} {check:20s} {path}: {detail}")
    return 0
