"""One typed `Settings`: defaults → PERF_TARGETS_* variables → extract flags; the batch hands
them to its workers, and `documents.settings` records the ones that shape the rows.

The end-to-end tests run the `extract` command (in this process; its workers come from a
forkserver started with the session's environment): a value given only to the command (a flag,
or a variable) must be what the worker process extracted with."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import duckdb
import numpy as np
import pytest

from pipeline.settings import FIELDS, OCR_ENGINES, Settings, SettingsError
from tests.test_batch import ROOT, extract, make_corpus, query

DEFAULT_RECORD = {
    "ocr_det_dpi": 150.0,
    "ocr_det_side": 1600,
    "ocr_dpi": 200,
    "ocr_engine": "rapidocr",
    "ocr_tess_psm": 6,
}


def recorded(db: Path) -> set[str]:
    return {s for (s,) in query(db, "SELECT settings FROM documents")}


def test_defaults_are_todays_values():
    s = Settings()
    assert json.loads(s.record()) == DEFAULT_RECORD
    assert (s.timeout, s.timeout_per_page, s.timeout_max, s.max_memory_mb, s.jobs) == (
        300,
        5,
        3600,
        1536,
        None,
    )
    assert Settings.from_env({}) == s


def test_environment_then_flags():
    env = {
        "PERF_TARGETS_OCR_ENGINE": " Tesseract ",
        "PERF_TARGETS_OCR_DPI": "300",
        "PERF_TARGETS_TIMEOUT": "",
    }
    s = Settings.from_env(env)
    assert (s.ocr_engine, s.ocr_dpi, s.timeout) == ("tesseract", 300, 300.0)  # empty: not set
    t = s.replace(ocr_dpi="250", jobs=2, timeout=None)  # None: the flag was not given
    assert (t.ocr_engine, t.ocr_dpi, t.jobs, t.timeout) == ("tesseract", 250, 2, 300.0)
    assert s.ocr_dpi == 300  # frozen: replace makes a new value
    with pytest.raises(TypeError):
        s.replace(no_such_setting=1)


@pytest.mark.parametrize(
    ("var", "value", "reason"),
    [
        ("PERF_TARGETS_OCR_DPI", "abc", "not a whole number"),
        ("PERF_TARGETS_OCR_DPI", "20", "from 50 to 600"),
        ("PERF_TARGETS_OCR_DET_DPI", "nan", "a number from 50 to 600"),
        ("PERF_TARGETS_OCR_ENGINE", "paddle", "unknown OCR engine"),
        ("PERF_TARGETS_OCR_TESS_PSM", "6.5", "not a whole number"),
        ("PERF_TARGETS_JOBS", "0", "at least 1"),
        ("PERF_TARGETS_TIMEOUT", "-1", "at least 0"),
    ],
)
def test_a_bad_variable_is_named_with_its_reason(var, value, reason):
    with pytest.raises(SettingsError) as e:
        Settings.from_env({var: value})
    assert str(e.value).startswith(f"{var}={value!r}: ") and reason in str(e.value)


def test_a_bad_variable_stops_extract_with_one_line(tmp_path):
    make_corpus(tmp_path / "in", 1)
    proc = extract(tmp_path / "in", "--db", tmp_path / "t.duckdb", env={"PERF_TARGETS_OCR_DPI": "lots"})
    assert proc.returncode == 2
    assert proc.stderr.strip() == "extraction not started: PERF_TARGETS_OCR_DPI='lots': not a whole number"
    assert not (tmp_path / "t.duckdb").exists()
    proc = extract(tmp_path / "in", "--db", tmp_path / "t.duckdb", "--ocr-engine", "paddle")
    assert proc.returncode == 2 and "argument --ocr-engine: 'paddle': unknown OCR engine" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_settings_given_to_the_parent_are_recorded_by_the_workers(tmp_path):
    """A variable and a flag of the parent reach both worker processes; the flag wins over the
    variable; every document records them (and the summary is unchanged)."""
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 4)
    env = {"PERF_TARGETS_OCR_DPI": "300", "PERF_TARGETS_OCR_TESS_PSM": "4"}
    proc = extract(folder, "--db", db, "--jobs", "2", "--ocr-tess-psm", "11", env=env)
    assert proc.returncode == 0, proc.stderr
    want = {**DEFAULT_RECORD, "ocr_dpi": 300, "ocr_tess_psm": 11}
    assert [json.loads(s) for s in recorded(db)] == [want]
    assert query(db, "SELECT count(*) FROM documents WHERE status = 'ok'") == [(4,)]


def _table_png(path: Path) -> Path:
    """A page image of a small ruled table (digits and letters drawn with OpenCV)."""
    img = np.full((700, 1000, 3), 245, np.uint8)
    for y in (100, 220, 340):
        cv2.line(img, (80, y), (920, y), (30, 30, 30), 3)
    for x in (80, 500, 920):
        cv2.line(img, (x, 100), (x, 340), (30, 30, 30), 3)
    for (x, y), text in {
        (120, 180): "A101",
        (540, 180): "2800",
        (120, 300): "B202",
        (540, 300): "95%",
    }.items():
        cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (20, 20, 20), 4)
    cv2.imwrite(str(path), img)
    return path


def _engines_used(cache: Path) -> set[str]:
    return {json.loads(p.read_text(encoding="utf-8"))["engine"] for p in cache.rglob("*.json")}


@pytest.mark.parametrize(
    ("args", "env", "engine"),
    [
        ((), {"PERF_TARGETS_OCR_ENGINE": "tesseract"}, "tesseract"),
        (("--ocr-engine", "rapidocr"), {"PERF_TARGETS_OCR_ENGINE": "tesseract"}, "rapidocr"),
    ],
)
def test_a_scan_is_read_by_the_engine_the_parent_was_given(tmp_path, args, env, engine):
    """The worker OCRs with the engine named to the parent (the page cache says which read
    the page) and records it with the document."""
    folder, db, cache = tmp_path / "in", tmp_path / "t.duckdb", tmp_path / "cache"
    folder.mkdir()
    _table_png(folder / "scan.png")
    proc = extract(folder, "--db", db, "-q", "--jobs", "1", "--ocr-cache", cache, *args, env=env)
    assert proc.returncode == 0, proc.stderr
    assert query(db, "SELECT source_format, ocr_pages FROM documents") == [("image", 1)]
    assert _engines_used(cache) == {engine}
    assert json.loads(recorded(db).pop())["ocr_engine"] == engine


def test_another_ocr_setting_reads_the_scans_again_not_the_text_documents(tmp_path):
    """Rows are only as good as the settings that read them: a rerun with another OCR engine
    extracts the scan again (and records the new engine); text documents stay unchanged."""
    folder, db, cache = tmp_path / "in", tmp_path / "t.duckdb", tmp_path / "cache"
    make_corpus(folder, 2)
    _table_png(folder / "scan.png")
    args = ("--db", db, "--jobs", "1", "--ocr-cache", cache)
    assert extract(folder, *args, "--ocr-engine", "rapidocr").returncode == 0
    proc = extract(folder, *args, "--ocr-engine", "rapidocr")
    assert "unchanged 3" in proc.stderr, proc.stderr
    proc = extract(folder, *args, "--ocr-engine", "tesseract")
    assert "unchanged 2" in proc.stderr, proc.stderr
    engines = query(db, "SELECT source_format, settings FROM documents ORDER BY source_format")
    assert [(f, json.loads(s)["ocr_engine"]) for f, s in engines] == [
        ("image", "tesseract"),
        ("text", "rapidocr"),
        ("text", "rapidocr"),
    ]


def test_a_database_of_the_previous_version_gains_the_column(tmp_path):
    """A documents table without `settings` (as 0.3.2 wrote it) is extended; its rows keep NULL."""
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE documents (doc_id VARCHAR PRIMARY KEY, source_path VARCHAR, source_format VARCHAR, "
        "pages INTEGER, ocr_pages INTEGER, status VARCHAR, error VARCHAR, extractor_version VARCHAR, "
        "size_bytes BIGINT, seconds DOUBLE, extracted_at TIMESTAMP, heading VARCHAR, source_file BLOB)"
    )
    con.execute("INSERT INTO documents (doc_id, source_path, status) VALUES ('old', '/gone/old.txt', 'ok')")
    assert "settings" not in [r[0] for r in con.execute("DESCRIBE documents").fetchall()]
    con.close()
    make_corpus(tmp_path / "in", 1)
    proc = extract(tmp_path / "in", "--db", db, "-q")
    assert proc.returncode == 0, proc.stderr
    rows = dict(query(db, "SELECT doc_id, settings FROM documents"))
    assert rows.pop("old") is None
    assert [json.loads(s) for s in rows.values()] == [DEFAULT_RECORD]


def test_every_variable_and_flag_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for f in FIELDS:
        assert f"`{f.metadata['env']}`" in readme, f.name
        assert f"`{f.metadata['flags'][0]}" in readme, f.name


def test_the_engines_users_can_name_are_the_engines_there_are():
    from extractors.ocr.engines import _ENGINES

    assert set(OCR_ENGINES) == set(_ENGINES)
