"""Links from a figure to the page it was read from: `file:///…/doc.pdf#page=N`.

PDF viewers (browsers, Acrobat, Evince, Okular) open such a link at page N.  The views build the
same link in SQL (`'file://' || replace(url_encode(source_path), '%2F', '/')`), which percent-
encodes exactly as `Path.as_uri` does.
"""

from __future__ import annotations

from pathlib import Path


def page_link(source_path: str | None, page: int | None) -> str | None:
    """`file://` URI of the document, with `#page=N` when the page is known; None without an
    absolute path (a relative one names no file once the run's working directory is gone)."""
    if not source_path or not Path(source_path).is_absolute():
        return None
    uri = Path(source_path).as_uri()
    return uri if page is None else f"{uri}#page={int(page)}"
