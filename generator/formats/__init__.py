"""Formats: every file format the generator reads or writes, defined once (pydantic).

The card, the factor table, the rating reference, the measurement sidecar, the energy-counter
CSV and the open-data row. Readers (load/) and writers (site/, commands/) share these models, so
a file is never described twice. Imports nothing from the pipeline stages.
"""
