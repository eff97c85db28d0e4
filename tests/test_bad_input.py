"""Bad input: a documents row with a clear one-line reason, and the batch goes on."""

from __future__ import annotations

import shutil

from pipeline.extract import extract_document
from tests.conftest import ROOT, query, run_cli, run_process

SEED = ROOT / "data" / "raw" / "kuerle_sifaju_2020_overall.txt"


def _reportlab_pdf(path, text="第一页：部门预算说明", encrypt=None):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, text)
    c.showPage()
    c.save()


def make_bad_inputs(folder):
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "no_table.txt").write_text("关于2020年部门预算的说明\n本部门无绩效目标表。\n", encoding="utf-8")
    (folder / "latin1.txt").write_bytes(
        "d\xe9partement budget r\xe9sum\xe9 \xff\xfe\xfd".encode("latin-1") * 50
    )
    (folder / "page.pdf").write_text(
        "<!DOCTYPE html><html><body>404 Not Found</body></html>", encoding="utf-8"
    )
    _reportlab_pdf(folder / "whole.pdf")
    (folder / "truncated.pdf").write_bytes((folder / "whole.pdf").read_bytes()[:300])
    _reportlab_pdf(folder / "locked.pdf", encrypt="secret")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    shutil.copy(SEED, folder / "good.txt")


def test_each_bad_input_gets_a_reason_and_the_batch_goes_on(tmp_path, db_path):
    folder = tmp_path / "in"
    make_bad_inputs(folder)
    proc = run_cli("extract", folder, "--db", db_path, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    rows = {
        name.split("/")[-1]: (status, error)
        for name, status, error in query(db_path, "SELECT source_path, status, error FROM documents")
    }
    assert rows["good.txt"] == ("ok", None)
    expected = {
        "empty.txt": ("failed", "empty"),
        "junk.txt": ("failed", "binary"),
        "no_table.txt": ("no_tables", "no performance-target table"),
        "page.pdf": ("failed", "HTML"),
        "truncated.pdf": ("failed", "damaged or truncated"),
        "locked.pdf": ("failed", "encrypted"),
        "broken.xlsx": ("failed", "unreadable"),
        "whole.pdf": ("no_tables", "no performance-target table"),
    }
    for name, (status, reason) in expected.items():
        got_status, error = rows[name]
        assert got_status == status, (name, rows[name])
        assert reason in error and "\n" not in error, (name, error)
    assert rows["latin1.txt"][0] in ("failed", "no_tables")
    # nothing half-written: only the good document has tables
    assert query(db_path, "SELECT count(*) FROM target_tables")[0][0] == 1


def test_exit_code_is_nonzero_only_when_every_input_failed(tmp_path, db_path):
    """The exit status of a real `python -m pipeline extract` process."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "junk.txt").write_bytes(b"\x00\xff" * 500)
    proc = run_process("extract", bad, "--db", db_path, "--quiet")
    assert proc.returncode == 1
    proc = run_process("extract", bad, SEED, "--db", db_path, "--quiet")
    assert proc.returncode == 0


def test_missing_input_is_reported_without_traceback(tmp_path, db_path):
    proc = run_cli("extract", tmp_path / "nope", "--db", db_path)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr


def test_sniffing_ignores_the_extension(tmp_path):
    disguised = tmp_path / "table.pdf"
    shutil.copy(SEED, disguised)
    doc = extract_document(disguised)
    assert (doc.source_format, doc.status, len(doc.tables)) == ("text", "ok", 1)
