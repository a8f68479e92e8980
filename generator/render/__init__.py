"""Render stage: pure text from computed summaries.

One jinja2 environment (filters, escaping, number formatting) renders the pages, labels,
badges, publishing kit, open data and chart specs. Nothing here writes a file.
"""
