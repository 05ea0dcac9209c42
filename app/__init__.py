"""The services people use (ingest, processing, search) and the `toji` command line."""
