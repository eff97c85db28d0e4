"""Budget performance-target tables (绩效目标表) → DuckDB."""

# Bump when extraction output changes: documents loaded by an older version are re-extracted.
EXTRACTOR_VERSION = "0.3.3"


def __getattr__(name: str):
    """`pipeline.connect`, `pipeline.indicators` and `pipeline.StoreError` (what `connect` raises)
    for notebooks, imported on first use so that extraction workers never load the analysis layer."""
    if name in ("connect", "indicators"):
        from pipeline.analysis import api

        return getattr(api, name)
    if name == "StoreError":
        from pipeline.store.errors import StoreError

        return StoreError
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
