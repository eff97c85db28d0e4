"""OCR results cached on disk by page-image hash, so a rerun skips OCR.

Location: $PERF_TARGETS_OCR_CACHE, else data/processed/cache/ocr in the source checkout
(else ~/.cache/perf-targets/ocr).  Set the variable to `off` to disable caching.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

CACHE_ENV = "PERF_TARGETS_OCR_CACHE"
_CHECKOUT = Path(__file__).resolve().parents[2]


def cache_dir() -> Path | None:
    env = os.environ.get(CACHE_ENV, "").strip()
    if env.lower() in ("off", "0", "none", "false"):
        return None
    if env:
        return Path(env)
    if (_CHECKOUT / "pyproject.toml").is_file():
        return _CHECKOUT / "data" / "processed" / "cache" / "ocr"
    return Path.home() / ".cache" / "perf-targets" / "ocr"


def page_key(image_bytes: bytes, *parts: object) -> str:
    """Hash of the page image and of everything else that changes the result."""
    h = hashlib.sha256(image_bytes)
    for p in parts:
        h.update(b"\x00" + str(p).encode())
    return h.hexdigest()


def load(key: str) -> dict | None:
    d = cache_dir()
    if d is None:
        return None
    try:
        return json.loads((d / key[:2] / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(key: str, value: dict) -> None:
    """Write atomically; a cache that cannot be written is no error."""
    d = cache_dir()
    if d is None:
        return
    try:
        sub = d / key[:2]
        sub.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=sub, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(value, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, sub / f"{key}.json")
    except OSError:
        pass
