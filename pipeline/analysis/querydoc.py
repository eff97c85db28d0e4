"""Keep docs/queries.md honest: run every SQL block of the document and compare (or rewrite)
the output table printed under it.

    python -m pipeline.analysis.querydoc docs/queries.md --db DB           # report differences
    python -m pipeline.analysis.querydoc docs/queries.md --db DB --write   # rewrite the outputs

A query block is a fenced ```sql block; its output is the Markdown table that follows it,
between the markers `<!-- output -->` and `<!-- /output -->`.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.analysis.tabulate import render

_BLOCK = re.compile(
    r"```sql\n(?P<sql>.*?)```\s*\n<!-- output -->\n(?P<out>.*?)<!-- /output -->",
    re.DOTALL,
)


@dataclass
class Example:
    sql: str
    documented: str
    start: int  # span of the documented output in the file
    end: int


def examples(text: str) -> list[Example]:
    return [Example(m["sql"].strip(), m["out"], m.start("out"), m.end("out")) for m in _BLOCK.finditer(text)]


def run(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The query's result as the Markdown table the document prints."""
    cur = con.execute(sql)
    columns = [d[0] for d in cur.description]
    return render(columns, cur.fetchall(), "markdown")


def main(argv: list[str] | None = None) -> int:
    from pipeline.analysis.api import connect

    p = argparse.ArgumentParser(
        prog="python -m pipeline.analysis.querydoc", description=__doc__.split("\n")[0]
    )
    p.add_argument("doc", type=Path)
    p.add_argument("--db", required=True)
    p.add_argument("--write", action="store_true", help="rewrite the documented outputs")
    args = p.parse_args(argv)
    text = args.doc.read_text(encoding="utf-8")
    found = examples(text)
    stale = 0
    with connect(args.db) as con:
        for ex in reversed(found):  # from the end, so earlier spans stay valid
            actual = run(con, ex.sql)
            if actual != ex.documented:
                stale += 1
                print(f"differs: {ex.sql.splitlines()[0][:80]}", file=sys.stderr)
                text = text[: ex.start] + actual + text[ex.end :]
    if args.write:
        args.doc.write_text(text, encoding="utf-8")
    print(
        f"{len(found)} queries, {stale} with a different output{' (rewritten)' if args.write and stale else ''}"
    )
    return 1 if stale and not args.write else 0


if __name__ == "__main__":
    sys.exit(main())
