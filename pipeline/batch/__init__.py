"""Running a batch: plan the documents, extract them in a pool of processes (or on Dask), load each
as it finishes, and report progress and a summary."""
