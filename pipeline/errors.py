"""Errors that end the extraction of one document with a one-line reason, and the one way an
error message is cut to the one line a user sees."""

from __future__ import annotations


class ExtractionError(Exception):
    """A document cannot be read; the message is the one-line reason shown to the user."""


def one_line(e: BaseException | str, limit: int = 300) -> str:
    """The first non-blank line of an error message, at most `limit` characters.  An exception
    without a message gives its type's name; an empty string stays empty."""
    msg = e if isinstance(e, str) else str(e)
    lines = msg.strip().splitlines()
    if lines:
        return lines[0][:limit]
    return "" if isinstance(e, str) else type(e).__name__
