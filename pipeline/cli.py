"""Command line: `python -m pipeline extract INPUT... [--db PATH]` and friends."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

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
    db = argparse.ArgumentParser(add_help=False)  # the option every command shares
    db.add_argument("--db", default=DEFAULT_DB, help=f"the DuckDB database file (default {DEFAULT_DB})")

    ex = sub.add_parser(
        "extract",
        parents=[db],
        help="extract files or folders into the database",
        description="Extract every document found in INPUT (files, or folders searched "
        "recursively) into the DuckDB database. Documents already extracted "
        "by this version are skipped; a changed file replaces its old rows.",
    )
    ex.add_argument("inputs", nargs="+", metavar="INPUT", help="file or folder")
    ex.add_argument("--force", action="store_true", help="re-extract documents already in the database")
    ex.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")
    ex.add_argument("--log-dir", help="where the per-run log goes (default: logs/ beside the database)")
    _settings_options(ex)
    ex.add_argument(
        "--executor",
        choices=["processes", "dask"],
        default="processes",
        help="processes: a pool on this machine (default); dask: a dask.distributed cluster",
    )
    ex.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="dask scheduler, e.g. tcp://HOST:8786 (with --executor dask; "
        "without it a local dask cluster of --jobs workers is started)",
    )
    ex.add_argument(
        "--corrections",
        metavar="CSV",
        help="analysts' corrections applied after every run (default: corrections.csv beside the database)",
    )

    co = sub.add_parser(
        "correct",
        parents=[db],
        help="fix one extracted value: adds a line to the corrections file and applies it",
        description="Add a correction to the corrections file (default corrections.csv beside the "
        "database) and apply the file to the database. Corrections are applied again after every "
        "extraction run, so they survive re-extraction; one whose row changed is reported, not applied.",
    )
    co.add_argument("ident", metavar="ID", help="TABLE_ID (DOCID#N) or INDICATOR_ID (DOCID#N#SEQ)")
    co.add_argument(
        "field", metavar="FIELD", help="e.g. value_raw, name, unit, level2, budget_total_wan, delete"
    )
    co.add_argument("value", metavar="VALUE", nargs="?", help="the right value (omit for delete or NULL)")
    co.add_argument("--note", help="who and why, kept with the correction")
    co.add_argument("--corrections", metavar="CSV", help="corrections file (default: beside the database)")

    xp = sub.add_parser(
        "export",
        parents=[db],
        help="export the database as Parquet, CSV or Excel",
        description="Write every table of the database to DIR: Parquet partitioned by year "
        "(DIR/TABLE/year=YYYY/*.parquet, readable by DuckDB, Spark, pandas/pyarrow), "
        "one CSV file per table (UTF-8 with a BOM, plus the joined 指标/项目与预算/预算明细/检查 tables), "
        "or one Excel workbook: the joined sheets with Chinese headers and page links first, "
        "then a sheet per table.",
    )
    xp.add_argument("--format", choices=["parquet", "csv", "xlsx"], default="parquet")
    xp.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")

    qy = sub.add_parser(
        "query",
        parents=[db],
        help="run SQL on the database (views v_indicators, v_budget, v_tables)",
        description="Run one SQL statement on the database, read-only, and print the result. "
        "The views v_indicators and v_budget give every indicator and budget figure with its "
        "year, region, department, category, project and concept.",
    )
    qy.add_argument("sql", metavar="SQL")
    _format_options(qy)
    qy.add_argument(
        "--xlsx",
        metavar="FILE",
        help="write the result as an Excel workbook (bold frozen header, autofilter, links clickable)",
    )
    qy.add_argument("--out", metavar="FILE", help="write the result as CSV with a UTF-8 BOM (opens in Excel)")

    from pipeline.analysis.concepts import CONCEPTS

    cp = sub.add_parser(
        "compare",
        parents=[db],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="concepts:\n" + "\n".join(f"  {k:22s} {v}" for k, v in CONCEPTS.items()),
        help="targets of one indicator concept side by side, by department, region or year",
        description="For one concept (e.g. satisfaction), one row per department, region, year "
        "or category: tables and indicators carrying it, how many are quantified, how many are in "
        "the compared unit, and the min, median, max and most common target in that unit (the "
        "concept's most common canonical unit: 元/人月 and 元/人·月 are one unit; 元 and 万元 are "
        "compared in 万元). Targets left out (other units, no unit, qualitative) are listed after "
        "the table (on stderr; under `excluded` with --json).",
    )
    cp.add_argument("--concept", required=True, help="e.g. satisfaction, completion_rate, budget_control")
    cp.add_argument("--by", choices=["department", "region", "year", "category"], default="department")
    cp.add_argument("--year", type=int, help="only this budget year")
    cp.add_argument("--unit", help="compare targets in this unit (default: the most common one)")
    cp.add_argument("--region", help="only this region, province, city or county (e.g. 北京市, 烟台市)")
    cp.add_argument("--category", help="only this department category (e.g. 民政, 教育)")
    cp.add_argument("--department", help="only departments whose name contains this text")
    cp.add_argument(
        "--sort",
        choices=["strongest", "weakest", "high", "low"],
        help="order of the groups by median target: strongest/weakest follow the concept's direction "
        "(a low error-rate ceiling is strong, a low satisfaction target weak); high/low are plain "
        "numeric order (default: strongest first, or high for concepts with no direction)",
    )
    _format_options(cp)

    ck = sub.add_parser(
        "checks",
        parents=[db],
        help="list the consistency checks raised in a database",
        description="Print the checks table (total ≠ Σ lines, unparsed values, …).",
    )
    ck.add_argument("--severity", choices=["error", "warning", "info"], help="only this severity")

    sh = sub.add_parser(
        "show",
        parents=[db],
        help="print a table or indicator row and render its source page region to PNG",
        description="Print the row an ID names and write a PNG of the source page around it, the "
        "row's box outlined in red. ID is a table_id (DOC_ID#N; the doc_id may be shortened to an "
        "unambiguous prefix) or an indicator_id (DOC_ID#N#SEQ, the indicator_id column of v_indicators).",
    )
    sh.add_argument("id", metavar="ID", help="TABLE_ID (DOC_ID#N) or INDICATOR_ID (DOC_ID#N#SEQ)")
    sh.add_argument("--out", metavar="PNG", help="the picture to write (default show-<ID>.png here)")

    rp = sub.add_parser(
        "report",
        parents=[db],
        help="write a self-contained HTML report (charts, the tables behind them, checks)",
        description="Write one HTML file with no external resources: headline figures, charts of "
        "satisfaction targets, budget by department, indicators by dimension and the quantified share "
        "per department, each with its table, and a summary of the consistency checks.",
    )
    rp.add_argument("--out", required=True, metavar="HTML", help="the HTML file to write")
    rp.add_argument("--title", help="page title (default: a generic one)")
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
    from pipeline.store.errors import StoreError

    commands = {
        "extract": _extract,
        "export": _export,
        "correct": _correct,
        "query": _query,
        "compare": _compare,
        "checks": _print_checks,
        "report": _report,
        "show": _show,
    }
    try:
        return commands[args.command](args)
    except StoreError as e:  # the database cannot be opened or read: one line, never a traceback
        print(f"{args.command} failed: {e}", file=sys.stderr)
        return 2


def _extract(args: argparse.Namespace) -> int:
    from pipeline.batch.runner import run
    from pipeline.errors import one_line
    from pipeline.settings import FIELDS, Settings, SettingsError
    from pipeline.store.errors import StoreError

    if args.scheduler and args.executor != "dask":
        print("--scheduler needs --executor dask", file=sys.stderr)
        return 2
    try:  # flags over environment variables over defaults
        settings = Settings.from_env(os.environ).replace(**{f.name: getattr(args, f.name) for f in FIELDS})
    except SettingsError as e:
        print(f"extraction not started: {e}", file=sys.stderr)
        return 2
    try:
        summary, code = run(
            args.inputs,
            args.db,
            settings,
            force=args.force,
            quiet=args.quiet,
            log_dir=args.log_dir,
            executor=args.executor,
            scheduler=args.scheduler,
            corrections=args.corrections,
        )
    except KeyboardInterrupt:
        print(
            "interrupted: documents loaded so far are kept; run the same command to resume", file=sys.stderr
        )
        return 130
    except StoreError as e:  # a storage failure mid-batch (the runner logs an unopenable database)
        print(
            f"extraction stopped: {e}; the documents stored so far are kept: "
            "make room and run the same command again to resume",
            file=sys.stderr,
        )
        return 2
    except Exception as e:  # noqa: BLE001 - e.g. no dask scheduler there; the run log has the traceback
        print(f"extraction stopped: {type(e).__name__}: {one_line(e)}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(summary.render(), file=sys.stderr)
    return code


def _correct(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.analysis.annotate import refresh
    from pipeline.corrections.command import CorrectError, correct
    from pipeline.corrections.sheet import SheetError
    from pipeline.store.db import open_db
    from pipeline.store.errors import StoreError

    try:
        with open_db(args.db, read_only=False) as con:
            print(correct(con, args.db, args.ident, args.field, args.value, args.note, args.corrections))
            refresh(con)
    except (CorrectError, SheetError) as e:
        print(f"correct failed: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"correct failed: cannot write the corrections file: {e.strerror or e}", file=sys.stderr)
        return 2
    except duckdb.Error as e:
        raise StoreError.of(e, args.db, "update") from e
    return 0


def _export(args: argparse.Namespace) -> int:
    from pipeline.store.errors import StoreError
    from pipeline.store.export import ExportError, export

    try:
        written = export(args.db, args.out, args.format)
    except (ExportError, StoreError) as e:
        print(f"export failed: {e}", file=sys.stderr)
        # writers abandoned mid-file (openpyxl's) complain while being collected: not for the user
        sys.unraisablehook = lambda unraisable: None
        return 2
    for path, rows in written:
        print(f"{rows:9d} rows  {path}")
    return 0


def _report(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.analysis.api import connect
    from pipeline.analysis.report import build_report
    from pipeline.store.errors import StoreError

    con = connect(args.db)
    try:
        summary = build_report(con, args.out, title=args.title)
    except OSError as e:
        print(f"report failed: cannot write {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    except duckdb.Error as e:
        raise StoreError.of(e, args.db, "read", read_only=True) from e
    finally:
        con.close()
    print(summary.line())
    return 0


def _show(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.analysis.api import connect
    from pipeline.analysis.show import NoPage, ShowError, default_out, describe, render, resolve
    from pipeline.store.errors import StoreError

    try:
        with connect(args.db) as con:
            target = resolve(con, args.id)
    except ShowError as e:
        print(f"show failed: {e}", file=sys.stderr)
        return 2
    except duckdb.Error as e:
        raise StoreError.of(e, args.db, "read", read_only=True) from e
    print("\n".join(describe(target)))
    out = Path(args.out) if args.out else default_out(args.id)
    try:
        note = render(target, out)
    except NoPage as e:
        print(f"no picture: {e}", file=sys.stderr)
        return 0
    except ShowError as e:
        print(f"no picture: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"show failed: cannot write {out}: {e.strerror or e}", file=sys.stderr)
        return 2
    print(f"{'picture':18s} {out} ({note})")
    return 0


def _format_options(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--csv", dest="fmt", action="store_const", const="csv", help="print CSV")
    g.add_argument("--json", dest="fmt", action="store_const", const="json", help="print JSON")
    g.add_argument(
        "--markdown", dest="fmt", action="store_const", const="markdown", help="print a Markdown table"
    )
    p.set_defaults(fmt="table")


def _query(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.analysis.api import connect
    from pipeline.analysis.sandbox import QueryRefused, check, run
    from pipeline.analysis.tabulate import render
    from pipeline.errors import one_line

    try:
        check(args.sql)
        with connect(args.db):  # adds the analysis views to a database of an older version
            pass
        columns, rows = run(args.db, args.sql)
    except QueryRefused as e:
        print(f"query failed: {e}", file=sys.stderr)
        return 2
    except duckdb.Error as e:  # the statement's own error (a damaged file is one too)
        print(f"query failed: {one_line(e)}", file=sys.stderr)
        return 2
    if args.xlsx or args.out:
        return _save_query(args, columns, rows)
    sys.stdout.write(render(columns, rows, args.fmt))
    return 0


def _save_query(args: argparse.Namespace, columns: list[str], rows: list) -> int:
    """`query --xlsx FILE` / `--out FILE`: the result in files for Excel instead of on stdout."""
    from pipeline.store.export import write_csv
    from pipeline.store.xlsxwrite import save_table

    for path, write in ((args.xlsx, lambda p: save_table(p, "查询", columns, rows)),
                        (args.out, lambda p: write_csv(p, columns, rows))):  # fmt: skip
        if not path:
            continue
        try:
            write(path)
        except OSError as e:
            print(f"query failed: cannot write {path}: {e.strerror or e}", file=sys.stderr)
            return 2
        print(f"{len(rows)} row{'s' if len(rows) != 1 else ''} written to {path}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    import json

    from pipeline.analysis.api import connect
    from pipeline.analysis.compare import CompareError, compare
    from pipeline.analysis.tabulate import render

    try:
        with connect(args.db) as con:
            result = compare(
                con,
                args.concept,
                args.by,
                year=args.year,
                unit=args.unit,
                region=args.region,
                category=args.category,
                department=args.department,
                sort=args.sort,
            )
    except CompareError as e:
        print(f"compare failed: {e}", file=sys.stderr)
        return 2
    if args.fmt == "json":
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=1) + "\n")
        return 0
    sys.stdout.write(render(result.columns, result.rows, args.fmt))
    note = result.note()
    if note:
        print(note, file=sys.stderr)
    return 0


def _settings_options(p: argparse.ArgumentParser) -> None:
    """A flag per setting (pipeline/settings.py); one not given leaves the environment's value."""
    from pipeline.settings import FIELDS

    g = p.add_argument_group(
        "settings", "each can also be set by the environment variable named; a flag wins"
    )
    for f in FIELDS:
        m = f.metadata
        shown = f"default {f.default:g}; " if isinstance(f.default, int | float) else ""
        shown = f"default {f.default}; " if isinstance(f.default, str) and f.default else shown
        g.add_argument(
            *m["flags"],
            dest=f.name,
            type=_flag_type(m["parse"]),
            metavar=m["metavar"],
            help=f"{m['help']} ({shown}{m['env']})",
        )


def _flag_type(parse: Callable[[str], object]) -> Callable[[str], object]:
    """A setting's parser as an argparse type: its reason becomes argparse's one-line error."""

    def convert(text: str) -> object:
        try:
            return parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(f"{text!r}: {e}") from None

    return convert


def _print_checks(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.analysis.links import page_link
    from pipeline.store.db import open_db
    from pipeline.store.errors import StoreError

    db, severity = args.db, args.severity
    # checks about a whole document carry `doc_id#0000`, which names no target table; checks of
    # databases of earlier versions have no page: the table's first page stands in
    sql = (
        "SELECT d.source_path, c.severity, c.\"check\", coalesce(t.project || ': ', '') || c.detail, "
        "coalesce({page}, t.page_first) "
        "FROM checks c JOIN documents d ON d.doc_id = split_part(c.table_id, '#', 1) "
        "LEFT JOIN target_tables t ON t.table_id = c.table_id"
    )
    params: list[str] = []
    if severity:
        sql += " WHERE c.severity = ?"
        params.append(severity)
    with open_db(db) as con:
        try:
            cols = "SELECT count(*) FROM information_schema.columns WHERE table_name = 'checks' AND column_name = 'page'"
            page = "c.page" if con.execute(cols).fetchall()[0][0] else "NULL::INTEGER"
            rows = con.execute(sql.format(page=page) + " ORDER BY 1, 5 NULLS FIRST, 3", params).fetchall()
        except duckdb.Error as e:
            raise StoreError.of(e, db, "read", read_only=True) from e
    for path, sev, check, detail, page in rows:
        where = f"{path} p.{page}" if page is not None else path
        link = page_link(path, page)
        print(f"{sev:7s} {check:20s} {where}: {detail}" + (f"  <{link}>" if link else ""))
    return 0
