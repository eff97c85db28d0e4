"""Budget performance-target tables (绩效目标表) → DuckDB."""

# Bump when extraction output changes: documents loaded by an older version are re-extracted.
EXTRACTOR_VERSION = "0.1.0"
