"""Benchmark: edit one card while `energy-cards serve` runs; time until the page shows it.

Generates a project of N cards (bench/scale.py's generator), starts `energy-cards serve` on
it, waits for the first page, then changes one card's name and polls its page until the new
name is served. Prints the edit-to-updated-page time for each edit and the median. Not a
test: timings depend on the machine.

    .venv/bin/python bench/preview.py --size 1000 --edits 3
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import make_project  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def _wait(url: str, text: str, timeout_s: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if text in _fetch(url):
            return time.monotonic() - start
        time.sleep(0.1)
    raise SystemExit(f"timed out after {timeout_s} s waiting for {text!r} at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="cards in the project")
    parser.add_argument("--edits", type=int, default=3, help="edits to time (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = make_project(Path(folder) / f"p{args.size}", args.size)
        card = sorted((project / "cards").glob("*.yaml"))[0]
        card_id = card.stem
        port = _free_port()
        command = [sys.executable, "-m", "generator", "serve", "--project", str(project)]
        server = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/cards/{card_id}/"
            started = _wait(url, "</html>", 900)
            print(f"{args.size} cards: first page served after {started:.1f} s")
            times = []
            for edit in range(args.edits):
                name = f"Edited Model {edit}"
                text = card.read_text(encoding="utf-8")
                lines = [
                    f"name: {name}" if line.startswith("name:") else line
                    for line in text.splitlines()
                ]
                card.write_text("\n".join(lines) + "\n", encoding="utf-8")
                took = _wait(url, name, 300)
                times.append(took)
                print(f"edit {edit + 1}: updated page after {took:.2f} s")
                time.sleep(1)
            print(f"median edit-to-updated-page: {statistics.median(times):.2f} s")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
