"""Measured workload: 1,000 single-image queries to a scikit-learn digits classifier.

Reproduce (writes emissions.csv and measurement.json beside this file):
    python measurements/sklearn-digits-logreg/workload.py --runs 5

Training happens before measurement; each measured run is 1,000 `predict` calls of one 8x8
image each (batch size 1) on the 1,000 images held out from training. Uses the Python form of
`energy-cards measure` so that Python start-up, imports and training are not counted.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from generator.commands.measure import EnergyMeasurement

PROJECT_ROOT = Path(__file__).resolve().parents[2]
QUERIES = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    digits = load_digits()
    images, labels = digits.data, digits.target
    train_x, train_y = images[:-QUERIES], labels[:-QUERIES]
    test_x, test_y = images[-QUERIES:], labels[-QUERIES:]
    model = LogisticRegression(max_iter=5000).fit(train_x, train_y)

    measurement = EnergyMeasurement(
        PROJECT_ROOT,
        "sklearn-digits-logreg",
        queries=QUERIES,
        country_iso_code="FRA",
        command=["python", "measurements/sklearn-digits-logreg/workload.py"],
    )
    for _ in range(args.runs):
        correct = 0
        with measurement:
            for image, label in zip(test_x, test_y, strict=True):
                correct += int(model.predict(image.reshape(1, -1))[0] == label)
        print(f"run: {correct}/{QUERIES} correct")


if __name__ == "__main__":
    main()
