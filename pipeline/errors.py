"""Errors that end the extraction of one document with a one-line reason."""


class ExtractionError(Exception):
    """A document cannot be read; the message is the one-line reason shown to the user."""
