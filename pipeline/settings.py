"""Every knob of an extraction run in one typed, frozen value (after pdfplumber's TableSettings).

Sources, later wins: the defaults below → environment variables (`Settings.from_env`) →
command-line flags (`Settings.replace`).  The batch runner builds one `Settings` and hands it
to every worker (local processes and dask workers alike), so a worker never reads its own
environment; the settings that change what is extracted are stored with each document
(`documents.settings`, `Settings.record`).

Each field names its environment variable and flag in its metadata; `FIELDS` lists them for
the command line and the README.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

OCR_ENGINES = ("rapidocr", "tesseract")  # extractors.ocr.engines registers the same names
_CACHE_OFF = ("off", "0", "none", "false")


class SettingsError(ValueError):
    """A setting with a value that cannot be used; the message is one line naming its source."""


def _number(kind: type, low: float, high: float | None = None) -> Callable[[object], Any]:
    what = "a whole number" if kind is int else "a number"
    limits = f"from {low:g} to {high:g}" if high is not None else f"of at least {low:g}"

    def parse(raw: object) -> Any:
        text = str(raw).strip()
        try:
            value = kind(text)
        except ValueError:
            raise ValueError(f"not {what}") from None
        if value != value or value < low or (high is not None and value > high):  # NaN too
            raise ValueError(f"must be {what} {limits}")
        return value

    parse.__name__ = what  # argparse names the type in its message
    return parse


def _engine(raw: object) -> str:
    name = str(raw).strip().lower()
    if name not in OCR_ENGINES:
        raise ValueError(f"unknown OCR engine (choose {' or '.join(OCR_ENGINES)})")
    return name


def _cache(raw: object) -> str:
    text = str(raw).strip()
    return "off" if text.lower() in _CACHE_OFF else text


def _setting(
    default: Any, env: str, flags: tuple[str, ...], parse: Callable, help: str, recorded: bool, metavar: str
):
    meta = {
        "env": env,
        "flags": flags,
        "parse": parse,
        "help": help,
        "recorded": recorded,
        "metavar": metavar,
    }
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """The settings of one extraction run.  `recorded` fields change the extracted rows and are
    stored with each document; the others only say where and how long."""

    ocr_engine: str = _setting(
        "rapidocr",
        "PERF_TARGETS_OCR_ENGINE",
        ("--ocr-engine",),
        _engine,
        "OCR engine for scanned pages: rapidocr or tesseract",
        recorded=True,
        metavar="NAME",
    )
    ocr_dpi: int = _setting(
        200,
        "PERF_TARGETS_OCR_DPI",
        ("--ocr-dpi",),
        _number(int, 50, 600),
        "resolution scanned PDF pages are rendered at for OCR (pages that are one image are "
        "read at the image's own)",
        recorded=True,
        metavar="DPI",
    )
    ocr_det_dpi: float = _setting(
        150.0,
        "PERF_TARGETS_OCR_DET_DPI",
        ("--ocr-det-dpi",),
        _number(float, 50, 600),
        "resolution RapidOCR finds text lines at (they are read at the page's)",
        recorded=True,
        metavar="DPI",
    )
    ocr_det_side: int = _setting(
        1600,
        "PERF_TARGETS_OCR_DET_SIDE",
        ("--ocr-det-side",),
        _number(int, 320, 10000),
        "RapidOCR: longest side in pixels of a whole page's copy that text is found on",
        recorded=True,
        metavar="PIXELS",
    )
    ocr_tess_psm: int = _setting(
        6,
        "PERF_TARGETS_OCR_TESS_PSM",
        ("--ocr-tess-psm",),
        _number(int, 0, 13),
        "Tesseract page segmentation mode",
        recorded=True,
        metavar="MODE",
    )
    ocr_cache: str = _setting(
        "",
        "PERF_TARGETS_OCR_CACHE",
        ("--ocr-cache",),
        _cache,
        "folder of the OCR page cache, or off (default data/processed/cache/ocr in the source "
        "checkout, else ~/.cache/perf-targets/ocr)",
        recorded=False,
        metavar="DIR",
    )
    jobs: int | None = _setting(
        None,
        "PERF_TARGETS_JOBS",
        ("--jobs", "-j"),
        _number(int, 1),
        "extraction worker processes, by default one per core",
        recorded=False,
        metavar="N",
    )
    timeout: float = _setting(
        300.0,
        "PERF_TARGETS_TIMEOUT",
        ("--timeout",),
        _number(float, 0),
        "give up on a document after this many seconds, plus --timeout-per-page for each PDF "
        "page; it is recorded failed (0 = none)",
        recorded=False,
        metavar="SECONDS",
    )
    timeout_per_page: float = _setting(
        5.0,
        "PERF_TARGETS_TIMEOUT_PER_PAGE",
        ("--timeout-per-page",),
        _number(float, 0),
        "seconds added to --timeout for each page of a PDF: scanned pages need OCR",
        recorded=False,
        metavar="SECONDS",
    )
    timeout_max: float = _setting(
        3600.0,
        "PERF_TARGETS_TIMEOUT_MAX",
        ("--timeout-max",),
        _number(float, 0),
        "hard ceiling in seconds per document, whatever its page count (0 = none)",
        recorded=False,
        metavar="SECONDS",
    )
    max_memory_mb: int = _setting(
        1536,
        "PERF_TARGETS_MAX_MEMORY_MB",
        ("--max-memory-mb",),
        _number(int, 0),
        "give up on a document whose worker grows past this resident memory in MB (0 = none)",
        recorded=False,
        metavar="MB",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """The defaults with every variable set (and not empty) in `environ` applied;
        `SettingsError` names the first variable whose value cannot be used."""
        values = {}
        for f in FIELDS:
            raw = environ.get(f.metadata["env"], "").strip()
            if raw:
                values[f.name] = _parsed(f, raw, f"{f.metadata['env']}={raw!r}")
        return cls(**values)

    def replace(self, **changes: object) -> Settings:
        """These settings with some changed (None: left as is, like a flag not given)."""
        names = {f.name: f for f in FIELDS}
        values = {}
        for name, value in changes.items():
            if name not in names:
                raise TypeError(f"no setting named {name!r}")
            if value is not None:
                f = names[name]
                values[name] = _parsed(f, value, f"{f.metadata['flags'][0]} {value}")
        return dataclasses.replace(self, **values)

    def recorded(self) -> dict[str, object]:
        """The settings that change the extracted rows."""
        return {f.name: getattr(self, f.name) for f in FIELDS if f.metadata["recorded"]}

    def record(self) -> str:
        """`recorded()` as the JSON text stored in `documents.settings`."""
        return json.dumps(self.recorded(), sort_keys=True, separators=(",", ":"))


def _parsed(f: dataclasses.Field, raw: object, source: str) -> object:
    try:
        return f.metadata["parse"](raw)
    except ValueError as e:
        raise SettingsError(f"{source}: {e}") from None


FIELDS: tuple[dataclasses.Field, ...] = dataclasses.fields(Settings)
