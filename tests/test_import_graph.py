"""The layout of `extractors/`: readers against one contract; `pdf/` and `ocr/` share the page
model instead of importing each other; readers use the table vocabulary, not the rebuilder."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import extractors
from extractors.base import Reader

ROOT = Path(__file__).resolve().parents[1]


def _imports(package: str) -> dict[str, set[str]]:
    """Module file → the modules it imports (top-level and function-level imports alike)."""
    out: dict[str, set[str]] = {}
    folder = ROOT.joinpath(*package.split("."))
    files = sorted(folder.rglob("*.py")) if folder.is_dir() else [folder.with_suffix(".py")]
    for path in files:
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{a.name}" for a in node.names)
        out[str(path.relative_to(ROOT))] = names
    return out


def _offenders(package: str, forbidden: str) -> list[str]:
    return [
        f"{f} imports {m}"
        for f, mods in _imports(package).items()
        for m in sorted(mods)
        if m == forbidden or m.startswith(forbidden + ".")
    ]


@pytest.mark.parametrize(
    "package, forbidden",
    [
        ("extractors.pdf", "extractors.ocr"),
        ("extractors.ocr", "extractors.pdf"),
        ("extractors", "pipeline.rebuild"),
        ("extractors.page", "extractors.pdf"),
        ("extractors.grids", "extractors.pdf"),
        ("pipeline.normalize", "pipeline.rebuild"),
        # the data flow read → rebuild → normalize → store, with batch and the CLI on top
        *[
            ("pipeline.normalize", up)
            for up in ("extractors", "pipeline.store", "pipeline.batch", "pipeline.analysis")
        ],
        *[("pipeline.rebuild", up) for up in ("pipeline.store", "pipeline.batch", "pipeline.analysis")],
        *[
            ("extractors", up)
            for up in ("pipeline.store", "pipeline.batch", "pipeline.analysis", "pipeline.cli")
        ],
        *[
            ("pipeline.store", up)
            for up in ("pipeline.batch", "pipeline.rebuild", "extractors", "pipeline.cli")
        ],
        ("pipeline.analysis", "pipeline.batch"),
        *[
            ("pipeline.settings", m)
            for m in ("extractors", "pipeline.batch", "pipeline.store", "pipeline.rebuild")
        ],
    ],
)
def test_layering(package, forbidden):
    assert _offenders(package, forbidden) == []


@pytest.mark.parametrize("kind", sorted(extractors.READERS))
def test_every_kind_has_a_reader(kind):
    reader = extractors.reader_for(kind)
    assert isinstance(reader, Reader) and kind in reader.kinds


def test_unsupported_kinds_name_the_reason():
    from pipeline.errors import ExtractionError

    for kind in [*extractors.UNSUPPORTED, "unknown"]:
        with pytest.raises(ExtractionError):
            extractors.reader_for(kind)
