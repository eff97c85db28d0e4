"""Damaged PDFs that qpdf can rebuild (lost cross-reference table or trailer, a download cut
short after the last page): rewritten in memory with pikepdf, then read as usual."""

from __future__ import annotations

import io
import logging
from pathlib import Path

log = logging.getLogger("pipeline")


def repaired(path: Path) -> bytes | None:
    """The PDF rewritten by qpdf (which reconstructs what it can), or None if it cannot."""
    try:
        import pikepdf
    except ImportError:  # an install without it fails damaged PDFs as before
        return None
    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages) == 0:
                return None
            out = io.BytesIO()
            pdf.save(out)
    except Exception:  # noqa: BLE001 - beyond repair: the caller reports the original damage
        log.debug("pikepdf cannot repair %s", path, exc_info=True)
        return None
    log.warning("damaged PDF repaired with qpdf before reading (%s)", path.name)
    return out.getvalue()
