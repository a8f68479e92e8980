"""Builds that cannot be half-published: the build lock, the swap, failed writes, gzip headers."""

from __future__ import annotations

import errno
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.problems import Problem
from generator.project import Project
from generator.site import staging
from generator.site.build import build_site
from generator.site.engine import MkDocsEngine, pin_gzip_headers
from tests.conftest import card_yaml, make_project

SUBPROCESS_TIMEOUT_S = 60


def _build(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--project", str(project), *args])
    return result.exit_code, result.output


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _assert_whole(site: Path, card_ids: list[str]) -> None:
    """What a reader needs: the home page, search, sitemap and every card's page."""
    names = set(_files(site))
    expected = {"index.html", "404.html", "sitemap.xml.gz", "search/index.html"}
    expected |= {"pagefind/pagefind.js", "pagefind/pagefind-entry.json"}
    expected |= {f"cards/{card_id}/index.html" for card_id in card_ids}
    assert expected <= names, sorted(expected - names)


def _leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith(".site."))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project with cards a and b, built once; tests work on copies of it."""
    root = make_project(
        tmp_path_factory.mktemp("built"), {"a.yaml": card_yaml("a"), "b.yaml": card_yaml("b")}
    )
    code, output = _build(root)
    assert code == 0, output
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def _start_build(project: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--project", str(project), *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_builds_at_once_publish_one_whole_site(project: Path) -> None:
    # Started together (the race is widest then), with a card added between their starts
    # (in one rename, as the first build may already be reading).
    first = _start_build(project)
    (project / "c.yaml").write_text(card_yaml("c"), encoding="utf-8")
    (project / "c.yaml").rename(project / "cards" / "c.yaml")
    second = _start_build(project)
    first_out, first_err = first.communicate(timeout=SUBPROCESS_TIMEOUT_S)
    second_out, second_err = second.communicate(timeout=SUBPROCESS_TIMEOUT_S)

    assert first.returncode == 0, first_out + first_err
    assert second.returncode == 0, second_out + second_err
    assert "waiting for another build" in first_err + second_err  # one waited its turn
    site = project / "site"
    _assert_whole(site, ["a", "b", "c"])
    assert _leftovers(project) == []
    published = set(_files(site))
    assert _build(project)[0] == 0
    assert published == set(_files(site))  # every file a build on its own gives


def test_a_build_waits_for_the_lock_then_reports_it(project: Path) -> None:
    before = _files(project / "site")
    waits: list[str] = []
    with staging.build_lock(Project(project)) as problems:
        assert problems == []
        result = build_site(Project(project), lock_timeout_s=0.3, on_wait=waits.append)
    assert result.site_dir is None
    [problem] = result.report.problems
    assert problem.code == "build-locked"
    assert problem.location.path == ".energy-cards/build.lock"
    assert f"held by process {os.getpid()}" in problem.message
    assert len(waits) == 1 and "waiting for another build" in waits[0]
    assert _files(project / "site") == before


# Run in a subprocess: pause at one point of the swap (telling the test), to be killed there.
PAUSING_BUILD = """
import sys, time
from pathlib import Path
from generator.site import staging
from generator.cli import main

marker, where, project = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
real_exchange, real_rename = staging.exchange, Path.rename

def pause():
    marker.touch()
    time.sleep(60)

def exchange(first, second):
    if where == "between-renames":
        return False  # as on a system without renameat2
    if where == "before-exchange":
        pause()
    done = real_exchange(first, second)
    if where == "after-exchange":
        pause()
    return done

def rename(self, target):
    moved = real_rename(self, target)
    if where == "between-renames" and Path(target).name == ".site.old":
        pause()
    return moved

staging.exchange, Path.rename = exchange, rename
main(["build", "--project", project])
"""


@pytest.mark.parametrize("where", ["before-exchange", "after-exchange", "between-renames"])
def test_a_build_killed_during_the_swap_leaves_a_whole_site(
    project: Path, tmp_path: Path, where: str
) -> None:
    before = _files(project / "site")
    (project / "cards" / "c.yaml").write_text(card_yaml("c"), encoding="utf-8")
    marker = tmp_path / "paused"
    build = subprocess.Popen(
        [sys.executable, "-c", PAUSING_BUILD, str(marker), where, str(project)],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + SUBPROCESS_TIMEOUT_S
    while not marker.exists() and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), build.stderr.read() if build.poll() is not None else "timed out"
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=SUBPROCESS_TIMEOUT_S)
    build.stderr.close()

    site = project / "site"
    if where == "before-exchange":
        assert _files(site) == before  # the previous site, as it was
    elif where == "after-exchange":
        _assert_whole(site, ["a", "b", "c"])  # the new site, whole
    else:
        # Without an atomic exchange there is a moment without site/; the next build (or
        # recover_site alone) puts the previous whole site back before anything else.
        assert not site.exists()
        staging.recover_site(site)
        assert _files(site) == before
    code, output = _build(project)  # the next build tidies up and publishes
    assert code == 0, output
    _assert_whole(site, ["a", "b", "c"])
    assert _leftovers(project) == []


def test_recover_site_restores_the_previous_site_and_removes_leftovers(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (tmp_path / ".site.old").mkdir()
    (tmp_path / ".site.old" / "index.html").write_text("previous")
    (tmp_path / ".site.new").mkdir()
    (tmp_path / ".site.new" / "index.html").write_text("half")
    staging.recover_site(site)
    assert (site / "index.html").read_text() == "previous"
    assert _leftovers(tmp_path) == []
    (tmp_path / ".site.new").mkdir()
    staging.recover_site(site)  # site/ present: leftovers go, the site stays
    assert (site / "index.html").read_text() == "previous"
    assert _leftovers(tmp_path) == []


def _two_sites(tmp_path: Path) -> tuple[Path, Path]:
    site, new = tmp_path / "site", tmp_path / ".site.new"
    for folder, text in ((site, "old"), (new, "new")):
        folder.mkdir()
        (folder / "index.html").write_text(text)
    return site, new


@pytest.mark.parametrize("atomic", [True, False])
def test_swap_in_replaces_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atomic: bool
) -> None:
    if not atomic:
        monkeypatch.setattr(staging, "exchange", lambda first, second: False)
    site, new = _two_sites(tmp_path)
    staging.swap_in(new, site)
    assert (site / "index.html").read_text() == "new"
    assert _leftovers(tmp_path) == []


def test_swap_in_without_exchange_puts_the_site_back_when_the_second_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, new = _two_sites(tmp_path)
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if self.name == ".site.new":
            raise OSError(errno.EACCES, "Permission denied", str(self))
        return real_rename(self, target)

    monkeypatch.setattr(staging, "exchange", lambda first, second: False)
    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(PermissionError):
        staging.swap_in(new, site)
    assert (site / "index.html").read_text() == "old"


def test_site_dir_under_proc_is_a_problem_not_a_traceback(project: Path) -> None:
    code, output = _build(project, "--site-dir", "/proc/forbidden")
    assert code == 1
    assert "Traceback" not in output
    assert "/proc/.forbidden.new: error[write-failed] could not write here:" in output
    assert "build failed: the previous site was left as it was" in output
    assert not (project / ".energy-cards" / "docs").exists()


def test_a_file_where_the_site_folder_must_go(project: Path) -> None:
    (project / "blocker").write_text("not a folder")
    code, output = _build(project, "--site-dir", str(project / "blocker" / "site"))
    assert code == 1
    assert "blocker: error[write-failed] expected a folder here, found a file" in output
    assert not (project / ".energy-cards" / "docs").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_parent_of_the_site_folder(project: Path) -> None:
    parent = project / "read-only"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        code, output = _build(project, "--site-dir", str(parent / "site"))
    finally:
        parent.chmod(0o755)
    assert code == 1
    assert "error[write-failed] could not write here: Permission denied" in output
    assert list(parent.iterdir()) == []


class _FullDiskEngine(MkDocsEngine):
    """Writes a page, then finds the disk full."""

    def build(self, config_file: Path, docs_dir: Path, site_dir: Path, strict: bool):
        site_dir.mkdir()
        (site_dir / "index.html").write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device", str(site_dir / "404.html"))


def test_full_disk_leaves_the_previous_site_and_nothing_else(project: Path) -> None:
    before = _files(project / "site")
    result = build_site(Project(project), engine=_FullDiskEngine())
    assert result.site_dir is None
    assert [(p.code, p.location.path, p.message) for p in result.report.errors] == [
        ("write-failed", ".site.new/404.html", "could not write here: No space left on device")
    ]
    assert _files(project / "site") == before
    assert _leftovers(project) == []
    assert not (project / ".energy-cards" / "docs").exists()


def test_sitemap_gzip_is_the_same_on_two_days(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    sitemaps = []
    for day in ("2024-01-01", "2024-06-30"):
        monkeypatch.setattr("mkdocs.structure.pages.get_build_date", lambda day=day: day)
        code, output = _build(project)
        assert code == 0, output
        sitemaps.append((project / "site" / "sitemap.xml.gz").read_bytes())
    assert sitemaps[0] == sitemaps[1]
    header = sitemaps[0][:10]
    assert header[4:8] == b"\0\0\0\0"  # mtime 0
    assert header[3] & 0x08 == 0  # no file name


def test_gzip_header_takes_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sitemap = tmp_path / "sitemap.xml.gz"
    with gzip.GzipFile(sitemap, "wb", mtime=1234) as file:
        file.write(b"<urlset/>")
    pin_gzip_headers(tmp_path, 1700000000)
    data = sitemap.read_bytes()
    assert int.from_bytes(data[4:8], "little") == 1700000000
    assert data[3] & 0x08 == 0
    assert gzip.decompress(data) == b"<urlset/>"


def test_unusable_source_date_epoch_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    problems: list[Problem] = MkDocsEngine().build(
        tmp_path / "mkdocs.yml", tmp_path, tmp_path / "site", strict=False
    )
    assert [p.code for p in problems] == ["engine-failed"]
    assert "expected SOURCE_DATE_EPOCH to be a whole number" in problems[0].message
    assert not (tmp_path / "site").exists()
