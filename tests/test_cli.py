"""The command line as a contributor uses it: exit codes, new, schema, one run for all problems."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.formats.card import COMMITTED_SCHEMA_PATH, card_json_schema_text
from generator.problems import plural
from tests.conftest import PLACEHOLDER_IN_VALUE, fill_template, make_project

GOOD = """\
id: {id}
name: Model {id}
organization: Example Lab
task: text-generation
sources:
  card: {{title: Model card, url: "https://example.org/card", year: 2024}}
training:
  gpu_hours: {{value: 1000, provenance: reported, source: card, where: Table 1}}
"""


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_four_mistakes_give_one_message_each_exit_1_and_site_untouched(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"a.yaml": GOOD.format(id="a")})
    assert invoke("build", "--project", str(project)).exit_code == 0
    site_before = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}

    broken = GOOD.format(id="a").replace("value: 1000", "value: 'a lot'")
    broken = broken.replace("organization: Example Lab\n", "")  # missing required key
    broken += "flavour: vanilla\n"  # unknown key
    (project / "cards" / "b.yaml").write_text(broken.replace("id: a", "id: b"), "utf-8")
    (project / "cards" / "c.yaml").write_text(GOOD.format(id="a"), "utf-8")  # duplicate id

    result = invoke("validate", "--project", str(project))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("cards/")]
    assert lines == [
        "cards/b.yaml:1:1: error[missing-key] organization: required key is missing "
        "(Who released the model.)",
        "cards/b.yaml:7:22: error[wrong-type] training.gpu_hours.value: expected a number, "
        "got 'a lot'",
        "cards/b.yaml:8:1: error[unknown-key] flavour: unknown key; the card format does "
        "not define it, so its value would be lost",
        "cards/c.yaml:1:5: error[id-mismatch] id: expected the file name 'c', got 'a' "
        "(already the id of cards/a.yaml)",
    ]
    assert (
        result.output.splitlines()[-1] == "4 errors, 0 warnings in 3 cards and 0 measurement files"
    )

    build = invoke("build", "--project", str(project))
    assert build.exit_code == 1
    site_after = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert site_after == site_before


def test_exit_codes(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"a.yaml": GOOD.format(id="a")})
    assert invoke("validate", "--project", str(project)).exit_code == 0
    assert invoke("validate", "--project", str(project), "--format", "xml").exit_code == 2
    assert invoke("validate", str(tmp_path / "nope.yaml")).exit_code == 2
    assert invoke("validate", "--project", str(tmp_path / "missing")).exit_code == 2
    assert invoke("frobnicate").exit_code == 2


def test_validate_json_and_github_formats(tmp_path: Path) -> None:
    card = GOOD.format(id="a").replace("task: text-generation", "task: poetry")
    project = make_project(tmp_path, {"a.yaml": card})
    result = invoke("validate", "--project", str(project), "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["errors"] == 1
    (problem,) = document["problems"]
    assert problem["path"] == "cards/a.yaml"
    assert (problem["line"], problem["column"]) == (4, 7)
    assert (problem["code"], problem["key"], problem["severity"]) == ("not-one-of", "task", "error")
    assert problem["message"].endswith("got 'poetry'")

    github = invoke("validate", "--project", str(project), "--format", "github").output
    assert github.startswith("::error file=cards/a.yaml,line=4,col=7,title=not-one-of::task: ")


def test_validate_explicit_paths_are_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch
) -> None:
    project = make_project(tmp_path, {"a.yaml": GOOD.format(id="a"), "b.yaml": "id: [\n"})
    monkeypatch.chdir(project)
    assert invoke("validate", "cards/a.yaml").exit_code == 0
    result = invoke("validate", "cards/b.yaml")
    assert result.exit_code == 1
    assert result.output.startswith("cards/b.yaml:2:1: error[yaml-syntax] invalid YAML:")


def test_new_writes_a_template_that_validates_once_filled(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = invoke("new", "my-model-7b", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote cards/my-model-7b.yaml\n")
    path = project / "cards" / "my-model-7b.yaml"
    text = path.read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=")

    unfilled = invoke("validate", "--project", str(project))
    assert unfilled.exit_code == 1
    placeholders = re.findall(PLACEHOLDER_IN_VALUE, text, re.MULTILINE)
    assert unfilled.output.count("error[placeholder]") == len(placeholders) > 10

    text = fill_template(text)
    path.write_text(text, "utf-8")
    filled = invoke("validate", "--strict", "--project", str(project))
    assert filled.exit_code == 0, filled.output
    card = yaml.safe_load(text)
    assert card["training"]["gpu_hours"]["value"] == 12000


def test_new_never_overwrites_and_rejects_bad_ids(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"taken.yaml": "id: taken\n"})
    result = invoke("new", "taken", "--project", str(project))
    assert result.exit_code == 1
    assert "cards/taken.yaml already exists; not overwriting it" in result.output
    assert (project / "cards" / "taken.yaml").read_text("utf-8") == "id: taken\n"
    bad = invoke("new", "Bad_Id", "--project", str(project))
    assert bad.exit_code == 1
    assert "expected an id of lowercase letters, digits and single hyphens" in bad.output
    assert not (project / "cards" / "Bad_Id.yaml").exists()


def test_committed_json_schema_equals_the_one_generated_from_the_model() -> None:
    assert COMMITTED_SCHEMA_PATH.read_text("utf-8") == card_json_schema_text()
    assert invoke("schema", "--check").exit_code == 0
    printed = json.loads(invoke("schema").output)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert printed["properties"]["task"]["$ref"] == "#/$defs/Task"
    assert "text-generation" in printed["$defs"]["Task"]["enum"]


def test_version() -> None:
    assert invoke("--version").output.startswith("energy-cards, version ")


def _all_commands(group: click.Group = main, path: str = "energy-cards"):
    for name, command in sorted(group.commands.items()):
        yield f"{path} {name}", command
        if isinstance(command, click.Group):
            yield from _all_commands(command, f"{path} {name}")


def test_every_command_and_option_has_help_text() -> None:
    missing = [
        f"{name} {param.opts[0]}"
        for name, command in [("energy-cards", main), *_all_commands()]
        for param in command.params
        if isinstance(param, click.Option) and not param.help
    ]
    assert missing == []
    assert [name for name, command in _all_commands() if not command.help] == []


def test_every_command_that_reads_a_project_takes_project() -> None:
    """The README promises it of every command; schema takes it and changes nothing."""
    without = [
        name
        for name, command in _all_commands()
        if not isinstance(command, click.Group)
        and "--project" not in {opt for param in command.params for opt in param.opts}
    ]
    assert without == []


def test_schema_takes_project(tmp_path: Path) -> None:
    assert invoke("schema", "--project", str(tmp_path)).output == card_json_schema_text()
    assert invoke("schema", "--check", "--project", str(tmp_path)).exit_code == 0


def test_inspect_reads_a_relative_file_from_the_project(tmp_path: Path, monkeypatch) -> None:
    project = make_project(tmp_path, {"a.yaml": GOOD.format(id="a")})
    folder = project / "measurements" / "a"
    folder.mkdir(parents=True)
    zeus = "start_time,window_name,elapsed_time,gpu0_energy\n1,run-1,1.0,3600\n"
    (folder / "zeus.csv").write_text(zeus, "utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = invoke("inspect", "measurements/a/zeus.csv", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("measurements/a/zeus.csv: zeus\n")
    assert result.output.endswith("\n0 problems\n")
    missing = invoke("inspect", "measurements/a/nope.csv", "--project", str(project))
    assert missing.exit_code == 1
    assert "measurements/a/nope.csv: error[" in missing.output  # named as given
    assert missing.output.endswith("\n1 problem\n")  # never "1 problems"


def test_export_refuses_a_site_url_that_is_not_http_as_a_usage_error(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"a.yaml": GOOD.format(id="a")})
    for url in ("ftp://x", "example.org", "https://", "javascript:alert(1)"):
        result = invoke(
            "export", "a", "--format", "json", "--site-url", url, "--project", str(project)
        )
        assert result.exit_code == 2, (url, result.output)
        assert "Invalid value for '--site-url': expected an http:// or https:// URL" in (
            result.stderr
        )
        assert result.stdout == ""
    ok = invoke(
        "export", "a", "--format", "json", "--site-url", "https://x.org/", "--project", str(project)
    )
    assert ok.exit_code == 0, ok.output


def test_counts_read_as_english(tmp_path: Path) -> None:
    """No "1 cards", "1 stars" or "1 problems": a count takes the singular when it is 1."""
    project = make_project(tmp_path, {"a.yaml": GOOD.format(id="a")})
    built = invoke("build", "--project", str(project))
    assert built.exit_code == 0, built.output
    assert "built 1 card into " in built.output
    assert plural(1, "star") == "1 star" and plural(0, "star") == "0 stars"
    assert plural(2, "problem") == "2 problems"
