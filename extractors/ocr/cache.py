"""OCR results cached on disk by page-image hash, so a rerun skips OCR.

Location: the `ocr_cache` setting (PERF_TARGETS_OCR_CACHE, --ocr-cache), else
data/processed/cache/ocr in the source checkout (else ~/.cache/perf-targets/ocr); `off`
disables caching.  `load` and `store` take the folder (None: no cache).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]


def cache_dir(setting: str = "") -> Path | None:
    """The folder the `ocr_cache` setting names: "" the default one, "off" none."""
    setting = setting.strip()
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    if (_CHECKOUT / "pyproject.toml").is_file():
        return _CHECKOUT / "data" / "processed" / "cache" / "ocr"
    return Path.home() / ".cache" / "perf-targets" / "ocr"


def page_key(image_bytes: bytes, *parts: object) -> str:
    """Hash of the page image and of everything else that changes the result."""
    h = hashlib.sha256(image_bytes)
    for p in parts:
        h.update(b"\x00" + str(p).encode())
    return h.hexdigest()


def load(d: Path | None, key: str) -> dict | None:
    if d is None:
        return None
    try:
        return json.loads((d / key[:2] / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(d: Path | None, key: str, value: dict) -> None:
    """Write atomically into folder `d`; a cache that cannot be written is no error."""
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
