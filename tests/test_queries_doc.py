"""docs/queries.md: every query runs, and prints exactly the output the document shows."""

from __future__ import annotations

import pytest

from pipeline.analysis.api import connect
from pipeline.analysis.querydoc import examples, run
from tests.conftest import ROOT

DOC = ROOT / "docs" / "queries.md"
EXAMPLES = examples(DOC.read_text(encoding="utf-8"))


def test_the_document_holds_at_least_ten_questions():
    assert len(EXAMPLES) >= 10
    assert all(ex.documented.count("\n") >= 3 for ex in EXAMPLES), "a query documents no rows"


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=[f"q{i}" for i in range(len(EXAMPLES))])
def test_query_output_is_what_the_document_shows(corpus_db, example):
    with connect(corpus_db) as con:
        actual = run(con, example.sql)
    assert actual == example.documented, (
        "docs/queries.md is out of date; refresh it with "
        "`python -m pipeline.analysis.querydoc docs/queries.md --db DB --write`\n" + actual
    )
