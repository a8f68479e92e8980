"""The site engine (generator/site/engine.py): MkDocs runs leave the process as they found it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.site.engine import BANNER_VARIABLE, MkDocsEngine, quiet_material_banner
from tests.conftest import REPO_ROOT


def test_importing_the_cli_and_the_engine_sets_no_environment_variable() -> None:
    env = {key: value for key, value in os.environ.items() if key != BANNER_VARIABLE}
    code = (
        "import os, generator.cli, generator.site.engine;"
        f" print(os.environ.get({BANNER_VARIABLE!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"


@pytest.mark.parametrize("previous", [None, "0"], ids=["unset", "set"])
def test_the_banner_variable_is_set_only_while_the_engine_runs(
    previous: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if previous is None:
        monkeypatch.delenv(BANNER_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(BANNER_VARIABLE, previous)
    with pytest.raises(RuntimeError), quiet_material_banner():
        assert os.environ[BANNER_VARIABLE] == "1"
        raise RuntimeError("the engine failed")
    assert os.environ.get(BANNER_VARIABLE) == previous


def test_a_material_build_restores_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BANNER_VARIABLE, raising=False)
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: t\ntheme:\n  name: material\n  font: false\n", "utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Hello\n", "utf-8")
    problems = MkDocsEngine().build(config, docs, tmp_path / "site", strict=True)
    assert problems == []
    assert (tmp_path / "site" / "index.html").is_file()
    assert BANNER_VARIABLE not in os.environ  # Material's own import-time setting undone too


def _cached_build(root: Path, site: str) -> tuple[MkDocsEngine, Path]:
    from generator.project import Project
    from generator.site.build import build_site

    engine = MkDocsEngine(markdown_cache=root / ".energy-cards" / "cache" / "markdown")
    result = build_site(Project(root), root / site, engine=engine)
    assert not result.report.errors, result.report.problems
    return engine, root / site


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_a_second_build_reuses_every_conversion_and_writes_the_same_site(tmp_path: Path) -> None:
    from tests.conftest import card_yaml, make_project

    root = make_project(
        tmp_path, {f"m{i}.yaml": card_yaml(f"m{i}", energy=0.001 * (i + 1)) for i in range(4)}
    )
    first, site_one = _cached_build(root, "one")
    reused, converted = first.conversions
    assert reused == 0 and converted > 10  # every page: home, cards, tasks, methodology...
    second, site_two = _cached_build(root, "two")
    assert second.conversions == (converted, 0)
    assert _files(site_one) == _files(site_two)
    # Editing one card reconverts its page and the pages that list it, nothing else.
    card = root / "cards" / "m2.yaml"
    card.write_text(card.read_text("utf-8").replace("name: m2", "name: Renamed Model"), "utf-8")
    third, site_three = _cached_build(root, "three")
    assert 0 < third.conversions[1] <= 6, third.conversions
    assert "Renamed Model" in (site_three / "cards" / "m2" / "index.html").read_text("utf-8")
    # The cache holds only what the last build used.
    entries = list((root / ".energy-cards" / "cache" / "markdown").iterdir())
    assert len(entries) == sum(third.conversions)


def test_a_page_that_warns_is_never_remembered(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: t\ntheme:\n  name: material\n  font: false\n", "utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Hello\n\n[gone](missing.md)\n", "utf-8")
    (docs / "other.md").write_text("# Other\n", "utf-8")
    engine = MkDocsEngine(markdown_cache=tmp_path / "cache")
    for _ in range(2):  # the warning comes back on the second build: nothing hid it
        problems = engine.build(config, docs, tmp_path / "site", strict=False)
        assert [p.code for p in problems] == ["engine-warning"]
        assert "missing.md" in problems[0].message
    assert engine.conversions == (1, 1)  # other.md reused, index.md converted again


def test_a_second_build_renders_no_unchanged_card_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.render import pages
    from generator.site import page_cache
    from tests.conftest import card_yaml, make_project

    rendered: list[str] = []
    render = pages.render_card_files

    def counted(summary, *args):
        rendered.append(summary.card.id)
        return render(summary, *args)

    monkeypatch.setattr(pages, "render_card_files", counted)
    cards = {f"m{i}.yaml": card_yaml(f"m{i}", energy=0.001 * (i + 1)) for i in range(3)}
    root = make_project(tmp_path, cards)
    _, first = _cached_build(root, "one")
    assert sorted(rendered) == ["m0", "m1", "m2"]
    rendered.clear()
    _, second = _cached_build(root, "two")
    assert rendered == [] and _files(first) == _files(second)
    card = root / "cards" / "m1.yaml"
    card.write_text(card.read_text("utf-8").replace("name: m1", "name: Renamed"), "utf-8")
    _, third = _cached_build(root, "three")
    assert rendered == ["m1"]
    assert "Renamed" in (third / "cards" / "m1" / "index.html").read_text("utf-8")
    # Another generator (its code changed): every card rendered again, the old entries gone.
    rendered.clear()
    monkeypatch.setattr(page_cache, "code_fingerprint", lambda root=None: "another-code")
    _cached_build(root, "four")
    assert sorted(rendered) == ["m0", "m1", "m2"]
    assert [p.name for p in (root / ".energy-cards" / "cache" / "pages").iterdir()] == [
        "another-code"
    ]


def test_a_build_in_another_process_reuses_the_cards_the_last_one_rendered(
    tmp_path: Path,
) -> None:
    """Each build is a new process, with its own string-hash seed: a fingerprint that
    followed set order (a pydantic model's given fields) missed every cached card."""
    import os
    import subprocess
    import sys

    from tests.conftest import card_yaml, make_project

    cards = {f"m{i}.yaml": card_yaml(f"m{i}", energy=0.001 * (i + 1)) for i in range(3)}
    root = make_project(tmp_path, cards)

    def build(seed: str) -> dict[str, int]:
        command = [sys.executable, "-m", "generator", "build", "--project", str(root)]
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        pages = root / ".energy-cards" / "cache" / "pages"
        return {p.name: p.stat().st_mtime_ns for p in pages.glob("*/*.pickle")}

    first = build("1")
    assert sorted(first) == ["m0.pickle", "m1.pickle", "m2.pickle"]
    assert build("2") == first  # no card rendered (and its entry written) again
