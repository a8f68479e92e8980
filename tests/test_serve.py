"""Live preview: editing a card changes the served page; a broken edit keeps the last good one."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import card_yaml as _card
from tests.conftest import make_project


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, predicate, timeout_s: float = 30.0) -> str:
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                last = response.read().decode("utf-8")
            if predicate(last):
                return last
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {url}; last page: {last[:300]!r}")


@pytest.fixture
def served(tmp_path: Path):
    project = make_project(tmp_path, {"a.yaml": _card("a", "Alpha Model")})
    (project / "measurements" / "a").mkdir(parents=True)
    port = _free_port()
    command = [sys.executable, "-m", "generator", "serve", "--project", str(project)]
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen([*command, "--port", str(port)], stdout=log, stderr=log)
        try:
            yield project, f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_editing_a_card_reloads_its_page(served) -> None:
    project, base = served
    page = _wait_for(f"{base}/cards/a/", lambda html: "Alpha Model" in html)
    assert "livereload" in page  # the engine injects its reload script while serving

    card = project / "cards" / "a.yaml"
    card.write_text(_card("a", "Alpha Model Renamed"), encoding="utf-8")
    _wait_for(f"{base}/cards/a/", lambda html: "Alpha Model Renamed" in html)

    # A broken edit is reported and the last good page stays up.
    card.write_text("id: a\nname: [unclosed\n", encoding="utf-8")
    time.sleep(2.0)
    assert "Alpha Model Renamed" in _wait_for(f"{base}/cards/a/", lambda html: True)

    # Adding a card adds its page.
    (project / "cards" / "b.yaml").write_text(_card("b", "Beta Model"), encoding="utf-8")
    card.write_text(_card("a", "Alpha Model"), encoding="utf-8")
    _wait_for(f"{base}/cards/b/", lambda html: "Beta Model" in html)


def test_editing_a_measurement_file_triggers_a_refresh(served) -> None:
    project, base = served
    _wait_for(f"{base}/cards/a/", lambda html: "Alpha Model" in html)
    card = _card("a", "Alpha Model") + (
        "  measurements:\n    - {path: measurements/a/zeus.csv, queries: 1000}\n"
    )
    (project / "cards" / "a.yaml").write_text(card, encoding="utf-8")
    # The file is missing: the preview keeps the last good page.
    time.sleep(2.0)
    assert "zeus.csv" not in _wait_for(f"{base}/cards/a/", lambda html: True)
    # Creating the measurement file makes the card valid again, with no edit to the card.
    zeus = "start_time,window_name,elapsed_time,gpu0_energy\n1,run-1,1.0,3600\n"
    (project / "measurements" / "a" / "zeus.csv").write_text(zeus, "utf-8")
    _wait_for(f"{base}/cards/a/", lambda html: "zeus.csv" in html)
    # Editing the measurement file changes the figure on the page (3,600 J = 0.001 kWh).
    # (the run table shows kWh per 1,000 queries in bold)
    page = _wait_for(f"{base}/cards/a/", lambda html: "<strong>0.001</strong>" in html)
    assert "median of 1 run in measurements/a/zeus.csv" in page
    (project / "measurements" / "a" / "zeus.csv").write_text(zeus.replace("3600", "7200"), "utf-8")
    _wait_for(f"{base}/cards/a/", lambda html: "<strong>0.002</strong>" in html)


def test_an_unexpected_error_is_logged_and_the_watcher_keeps_going(
    tmp_path: Path, monkeypatch
) -> None:
    """An exception escaping a refresh used to kill the watcher thread: stale pages forever."""
    import threading

    from generator.project import Project
    from generator.site import serve

    project = Project(make_project(tmp_path, {"a.yaml": _card("a")}))
    calls: list[int] = []

    def flaky(project, docs_dir, log):
        calls.append(1)
        if len(calls) == 1:
            raise ZeroDivisionError("float division by zero")
        log("refreshed")
        return True

    monkeypatch.setattr(serve, "refresh_preview", flaky)
    monkeypatch.setattr(serve, "POLL_INTERVAL_S", 0.05)
    logged: list[str] = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=serve._watch, args=(project, tmp_path / "docs", logged.append, stop), daemon=True
    )
    watcher.start()
    card = project.cards_dir / "a.yaml"
    for energy in (0.003, 0.004):  # two edits: the first refresh fails, the second works
        time.sleep(0.2)
        card.write_text(_card("a", energy=energy), encoding="utf-8")
    deadline = time.monotonic() + 5
    while "refreshed" not in logged and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    watcher.join(timeout=5)
    assert logged[0] == (
        "preview not updated: the generator failed (ZeroDivisionError: float division by zero); "
        "this is a bug, please report it. Still watching for changes."
    )
    assert logged[-1] == "refreshed"
