"""Where extraction output is kept: the DuckDB schema, loading, and export to CSV/Parquet/Excel."""
