"""Live preview: editing a card changes the served page; a broken edit keeps the last good one."""

from __future__ import annotations

import re
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

    # A broken edit is reported and the last good page stays up, saying it is not updated.
    card.write_text("id: a\nname: [unclosed\n", encoding="utf-8")
    page = _wait_for(f"{base}/cards/a/", lambda html: "Preview not updated" in html)
    assert "Alpha Model Renamed" in page
    assert "cards/a.yaml:3:1: error[yaml-syntax]" in page
    assert "Preview not updated" in _wait_for(f"{base}/", lambda html: True)  # every page

    # Adding a card adds its page; the fix takes the notice away and the terminal says so.
    (project / "cards" / "b.yaml").write_text(_card("b", "Beta Model"), encoding="utf-8")
    card.write_text(_card("a", "Alpha Model"), encoding="utf-8")
    _wait_for(f"{base}/cards/b/", lambda html: "Beta Model" in html)
    page = _wait_for(f"{base}/cards/a/", lambda html: "Preview not updated" not in html)
    assert "Alpha Model" in page
    log = (project / "serve.log").read_text("utf-8")
    assert log.rsplit("preview not updated", 1)[1].count("preview updated: 2 cards") == 1


def test_editing_a_measurement_file_triggers_a_refresh(served) -> None:
    project, base = served
    _wait_for(f"{base}/cards/a/", lambda html: "Alpha Model" in html)
    card = _card("a", "Alpha Model") + (
        "  measurements:\n    - {path: measurements/a/zeus.csv, queries: 1000}\n"
    )
    (project / "cards" / "a.yaml").write_text(card, encoding="utf-8")
    # The file is missing: the preview keeps the last good page, with the notice.
    page = _wait_for(f"{base}/cards/a/", lambda html: "Preview not updated" in html)
    assert "median of 1 run" not in page and "measurements/a/zeus.csv" in page
    # Creating the measurement file makes the card valid again, with no edit to the card.
    zeus = "start_time,window_name,elapsed_time,gpu0_energy\n1,run-1,1.0,3600\n"
    (project / "measurements" / "a" / "zeus.csv").write_text(zeus, "utf-8")
    page = _wait_for(f"{base}/cards/a/", lambda html: "Preview not updated" not in html)
    assert "zeus.csv" in page
    # Editing the measurement file changes the figure on the page (3,600 J = 1 Wh).
    # (the run table shows energy per 1,000 queries in bold, in a readable unit)
    page = _wait_for(f"{base}/cards/a/", lambda html: _bold_wh(html, 1))
    assert "median of 1 run in measurements/a/zeus.csv" in page
    (project / "measurements" / "a" / "zeus.csv").write_text(zeus.replace("3600", "7200"), "utf-8")
    _wait_for(f"{base}/cards/a/", lambda html: _bold_wh(html, 2))


def _bold_wh(html: str, value: int) -> bool:
    """The run table's bold figure: `value` Wh, the space before the unit possibly unbreakable."""
    return re.search(rf"<strong>{value}(\s|&nbsp;|\u00a0)Wh</strong>", html) is not None


def test_an_unexpected_error_is_logged_and_the_watcher_keeps_going(
    tmp_path: Path, monkeypatch
) -> None:
    """An exception escaping a refresh used to kill the watcher thread: stale pages forever."""
    import threading

    from generator.project import Project
    from generator.site import serve

    project = Project(make_project(tmp_path, {"a.yaml": _card("a")}))
    calls: list[int] = []

    def flaky(project, docs_dir, log, memo=None):
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


def _refresh(project, docs_dir: Path, memo: dict | None = None) -> tuple[bool, list[str]]:
    from generator.site.serve import refresh_preview

    logged: list[str] = []
    return refresh_preview(project, docs_dir, logged.append, memo), logged


@pytest.mark.parametrize("kept", [False, True], ids=["fresh", "memo kept as serve does"])
def test_a_fix_says_preview_updated_even_when_no_file_changed(tmp_path: Path, kept: bool) -> None:
    """broken -> fixed back to the same text: the pages equal the last good ones, yet the
    terminal says the preview is updated (and the notice the broken edit put there is gone,
    also when serve's memory of what it staged says the page was already right)."""
    import functools

    from generator.project import Project

    refresh = functools.partial(_refresh, memo={} if kept else None)

    project = Project(make_project(tmp_path, {"a.yaml": _card("a", "Alpha Model")}))
    docs = tmp_path / "docs"
    assert refresh(project, docs) == (True, [_logged_update(docs, 1)])
    card_page = (docs / "cards" / "a.md").read_text("utf-8")

    (project.cards_dir / "a.yaml").write_text(
        _card("a", "Alpha Model") + "flavour: vanilla\n", "utf-8"
    )
    ok, logged = refresh(project, docs)
    assert not ok
    assert "error[unknown-key] flavour" in logged[0]
    assert logged[-1].startswith("preview not updated: fix the errors above")
    broken_page = (docs / "cards" / "a.md").read_text("utf-8")
    assert "Preview not updated: 1 error" in broken_page
    assert "error[unknown-key] flavour: unknown key" in broken_page
    front_matter = card_page[: card_page.index("\n---\n") + 5]
    assert broken_page.startswith(front_matter)  # the notice goes after the front matter
    assert broken_page.index("<!-- energy-cards preview notice -->") >= len(front_matter)
    assert "Preview not updated" in (docs / "index.md").read_text("utf-8")

    # A second broken refresh replaces the notice rather than stacking another one.
    refresh(project, docs)
    assert (docs / "cards" / "a.md").read_text("utf-8").count(
        "<!-- energy-cards preview notice -->"
    ) == 1

    (project.cards_dir / "a.yaml").write_text(_card("a", "Alpha Model"), "utf-8")
    ok, logged = refresh(project, docs)
    assert ok and logged[-1].startswith("preview updated: 1 card, ")
    assert (docs / "cards" / "a.md").read_text("utf-8") == card_page
    ok, logged = refresh(project, docs)  # nothing changed at all: still said
    assert logged == ["preview updated: 1 card, 0 files changed"]


def _logged_update(docs: Path, cards: int) -> str:
    files = sum(1 for path in docs.rglob("*") if path.is_file())
    return f"preview updated: {cards} card{'s' if cards != 1 else ''}, {files} files changed"


def test_a_project_broken_from_the_start_gets_a_page_with_the_notice(tmp_path: Path) -> None:
    from generator.project import Project

    project = Project(make_project(tmp_path, {"a.yaml": 'id: a\nname: "Alpha\n'}))
    docs = tmp_path / "docs"
    ok, _ = _refresh(project, docs)
    assert not ok
    home = (docs / "index.md").read_text("utf-8")
    assert "Preview not updated: 1 error" in home
    assert "the quote opened here is never closed" in home


class _FakeReloadServer:
    """Stands in for MkDocs 1.6's LiveReloadServer: what `_told_of_changes` relies on."""

    def __init__(self) -> None:
        import threading

        self.watched: list[str] = []
        self._want_rebuild = False
        self._rebuild_cond = threading.Condition()

    def watch(self, path: str, func=None, *, recursive: bool = True) -> None:  # noqa: ARG002
        self.watched.append(path)


class _OtherReloadServer:
    """A live-reload server without MkDocs 1.6's rebuild flag (another MkDocs version)."""

    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str, func=None, *, recursive: bool = True) -> None:  # noqa: ARG002
        self.watched.append(path)


@pytest.mark.parametrize("server_class", [_FakeReloadServer, _OtherReloadServer])
def test_the_preview_tells_the_engine_to_rebuild_instead_of_it_polling_the_docs(
    tmp_path: Path, server_class: type
) -> None:
    """While serving, MkDocs' server does not poll the staged docs (the preview calls
    `rebuild` once it has written them); a server it cannot tell keeps polling them."""
    import types

    from generator.site.engine import MkDocsEngine

    engine = MkDocsEngine()
    module = types.SimpleNamespace(LiveReloadServer=server_class)
    docs = tmp_path / "docs"
    with engine._told_of_changes(module, docs):
        server = module.LiveReloadServer()
        server.watch(str(docs))
        server.watch(str(tmp_path / "mkdocs.yml"))
        told = engine.rebuild()
    assert module.LiveReloadServer is server_class  # put back
    if server_class is _FakeReloadServer:
        assert server.watched == [str(tmp_path / "mkdocs.yml")]
        assert told and server._want_rebuild
    else:
        assert server.watched == [str(docs), str(tmp_path / "mkdocs.yml")]
        assert not told
    assert engine.rebuild() is False  # no longer serving
