"""Command line: parse options, call one function, map the result to an exit code.

Exit codes: 0 clean, 1 problems found, 2 usage error. Library code never prints; this module
is the only place results become text and exceptions become messages.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator import __version__
from generator.commands.import_leaderboards import LEADERBOARD_COMMANDS
from generator.commands.inspect_options import declared_format_option
from generator.problems import REPORTERS, Report, plural
from generator.project import Project


def _project_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Every command takes --project DIR (default: the current folder)."""

    @click.option(
        "--project",
        "project_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=Path("."),
        show_default="current folder",
        help="Folder laid out like this repository (cards/, measurements/, mkdocs.yml).",
    )
    @functools.wraps(command)
    def wrapper(*args: Any, project_dir: Path, **kwargs: Any) -> Any:
        return command(*args, project=Project(project_dir.resolve()), **kwargs)

    return wrapper


_problem_format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="How to print problems: text for people, json for tools, github for annotations.",
)


def _print_report(report: Report, output_format: str, *, quiet_when_clean: bool = False) -> None:
    text = REPORTERS[output_format](report)
    if quiet_when_clean and not report.problems:
        return
    if text:
        click.echo(text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="energy-cards")
def main() -> None:
    """Model Energy Cards: validate energy cards and build them into a static site."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_problem_format_option
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. odd measurements) as errors.")
@_project_option
def validate(paths: tuple[Path, ...], output_format: str, strict: bool, project: Project) -> None:
    """Check cards and the files they reference; report every problem in one run.

    PATHS are card files or folders of cards (default: the project's cards/).
    """
    from generator.site.pipeline import read_project

    report = read_project(project, [p.resolve() for p in paths] or None).report
    _print_report(report, output_format)
    sys.exit(1 if report.failed(strict) else 0)


@main.command()
@click.argument("card_id")
@_project_option
def new(card_id: str, project: Project) -> None:
    """Write a commented card template to cards/CARD_ID.yaml (never overwrites)."""
    from generator.commands.new import ScaffoldError, write_card_template

    try:
        path = write_card_template(project, card_id)
    except ScaffoldError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(f"wrote {path.relative_to(project.root).as_posix()}")
    click.echo("next: replace every <...> placeholder, then run `energy-cards validate`")


@main.command()
@click.option("--strict", is_flag=True, help="Fail on warnings too (cards and site engine).")
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site (default: PROJECT/site).",
)
@_problem_format_option
@_project_option
def build(strict: bool, site_dir: Path | None, output_format: str, project: Project) -> None:
    """Validate, then render every card into the site. With errors, nothing is written."""
    from generator.site.build import build_site

    try:
        result = build_site(
            project,
            site_dir=site_dir.resolve() if site_dir else None,
            strict=strict,
            on_wait=lambda text: click.echo(text, err=True),
        )
    except OSError as error:  # a read the loaders did not expect; writes are problems already
        click.echo(f"error: {error}", err=True)
        click.echo("build failed: the previous site was left as it was", err=True)
        sys.exit(1)
    _print_report(result.report, output_format, quiet_when_clean=True)
    if result.site_dir is None:
        click.echo("build failed: the previous site was left as it was", err=True)
        sys.exit(1)
    site = result.site_dir
    shown = (site.relative_to(Path.cwd()) if site.is_relative_to(Path.cwd()) else site).as_posix()
    open_it = f"open {shown}/index.html, or run `energy-cards serve`"
    click.echo(f"built {plural(result.card_count, 'card')} into {shown}/ ({open_it})")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@_project_option
def serve(host: str, port: int, project: Project) -> None:
    """Live preview: rebuilds and reloads the page when a card or measurement file changes."""
    from generator.site.serve import serve_site

    serve_site(project, host=host, port=port, log=lambda text: click.echo(text, err=True))


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--card", "card_id", required=True, help="Card id: files go to measurements/ID/.")
@click.option("--queries", required=True, type=click.IntRange(min=1), help="Queries per run.")
@click.option("--runs", default=1, show_default=True, type=click.IntRange(1, 100), help="How many.")
@click.option(
    "--country",
    default="USA",
    show_default=True,
    help="ISO 3166 alpha-3 code of where it runs (CodeCarbon's grid intensity).",
)
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@_project_option
def measure(
    card_id: str, queries: int, runs: int, country: str, command: tuple[str, ...], project: Project
) -> None:
    """Run COMMAND (after --) under CodeCarbon, plus NVML when a GPU is present.

    Each run appends a row to measurements/ID/emissions.csv and updates measurement.json.
    """
    from generator.commands.measure import MeasureError, measure_command

    try:
        run_ids = measure_command(project.root, card_id, queries, command, runs, country.upper())
    except MeasureError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    folder = f"measurements/{card_id}"
    click.echo(f"measured {plural(len(run_ids), 'run')} of {queries} queries into {folder}/")
    click.echo(
        f"add to cards/{card_id}.yaml under inference.measurements:\n"
        f"  - {{path: {folder}/emissions.csv, queries: {queries}}}"
    )


@main.command()
# Not click.Path(exists=True): a folder, a loop or an over-long name is the loader's located
# problem (exit 1), like any other file it cannot read.
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json for tools (keys documented in the README).",
)
@declared_format_option
@_project_option
def inspect(file: Path, output_format: str, declared: str, project: Project) -> None:
    """Show what the loader makes of one measurement file, without a card.

    A relative FILE is read from the project folder, as a card's measurement paths are.
    """
    from generator.commands import inspect as inspection

    report, problems = inspection.inspect_file(project.root / file, declared, file.as_posix())
    if output_format == "json":
        click.echo(inspection.format_inspection_json(report))
    else:
        click.echo(inspection.format_inspection_text(report, problems))
    sys.exit(1 if problems else 0)


def _site_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"https?://[^\s/]+\S*", value):
        raise click.BadParameter(f"expected an http:// or https:// URL, got {value!r}")
    return value


# generator.render.publish.EXPORT_FORMATS' keys (test_exports.py checks), without importing it
_EXPORT_FORMATS = "label-svg badge-svg model-card-md hf-metadata json boamps boamps-training "
_EXPORT_FORMATS += "cyclonedx spdx"


@main.command()
@click.argument("card_id")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(_EXPORT_FORMATS.split()),
    required=True,
    help="What to print.",
)
@click.option(
    "--site-url",
    default=None,
    callback=_site_url,
    help="Where the site is published (http/https), for links back to the card page.",
)
@_project_option
def export(card_id: str, output_format: str, site_url: str | None, project: Project) -> None:
    """Print one card's publishing kit, or its energy as a BoAmps, CycloneDX or SPDX report."""
    from generator.render.publish import EXPORT_FORMATS
    from generator.site.pipeline import summarize_project

    report, summaries = summarize_project(project)
    summary = next((s for s in summaries if s.card.id == card_id), None)
    if report.errors:
        _print_report(report, "text")
        sys.exit(1)
    if summary is None:
        known = ", ".join(s.card.id for s in summaries[:8])
        click.echo(f"error: no card with id '{card_id}' (cards: {known}...)", err=True)
        sys.exit(1)
    try:
        click.echo(EXPORT_FORMATS[output_format](summary, site_url), nl=False)
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)


def _write_draft(draft: Callable[[], Any], output_format: str, project: Project) -> None:
    """Run an import (-> written path or None, problems), say what it did; exit 1 if nothing."""
    from generator.site.drafts import DraftError

    try:
        path, problems = draft()
    except DraftError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    _print_report(
        Report(problems, cards_checked=1 if path else 0), output_format, quiet_when_clean=True
    )
    if path is None:
        click.echo("nothing written", err=True)
        sys.exit(1)
    click.echo(f"wrote {path.relative_to(project.root).as_posix()}")
    click.echo("next: replace every <...> placeholder, then run `energy-cards validate`")


def _repo_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    import re

    from generator.commands.import_hf import REPO_ID_PATTERN

    if value is not None and not re.fullmatch(REPO_ID_PATTERN, value):
        raise click.BadParameter(f"expected ORG/NAME (e.g. openai/whisper-large-v3), got '{value}'")
    return value


@main.command("import-hf")
@click.argument("readme", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "card_id", default=None, help="Card id (default: the model's name).")
@click.option(
    "--repo-id",
    default=None,
    metavar="ORG/NAME",
    callback=_repo_id,
    help="The model's Hub repository: gives the organization, model page and source link.",
)
@_problem_format_option
@_project_option
def import_hf(
    readme: Path, card_id: str | None, repo_id: str | None, output_format: str, project: Project
) -> None:
    """Draft cards/ID.yaml from a Hugging Face model card's metadata (never overwrites).

    README is the model's README.md; its co2_eq_emissions (grams) becomes the training
    emissions (tonnes), marked reported and cited to the model card.
    """
    from generator.commands.import_hf import import_model_card

    _write_draft(
        lambda: import_model_card(project.root, readme, card_id, repo_id), output_format, project
    )


@main.group("import")
def import_group() -> None:
    """Cards from published reports and leaderboards: `import KIND PATH` (aies, boamps,
    mlenergy; hf = import-hf)."""


import_group.add_command(import_hf, "hf")
import_group.commands.update(LEADERBOARD_COMMANDS)  # aies, mlenergy


@import_group.command("boamps")
@click.argument("report", type=click.Path(path_type=Path))  # a missing file: located problem
@click.option("--id", "card_id", default=None, help="Card id (default: the model's name).")
@_problem_format_option
@_project_option
def import_boamps(report: Path, card_id: str | None, output_format: str, project: Project) -> None:
    """Draft cards/ID.yaml from a BoAmps energy report (JSON; never overwrites): kWh per 1,000
    queries (powerConsumption / nbRequest) or training energy, cited to REPORT, quality as band."""
    from generator.commands.import_boamps import import_boamps_report

    _write_draft(
        lambda: import_boamps_report(project.root, report, card_id), output_format, project
    )


@main.command()
@click.argument("base_ref")
@_project_option
def diff(base_ref: str, project: Project) -> None:
    """Markdown summary of the cards added, changed and removed since BASE_REF (a git ref),
    with the figures that changed and the ratings that would move: for a PR comment."""
    from generator.commands.diff import diff_against
    from generator.load.git import GitError

    try:
        result = diff_against(project, base_ref)
    except GitError as error:
        click.echo(f"error: cannot read {base_ref!r} from git: {error}", err=True)
        sys.exit(2)
    click.echo(result.markdown, nl=False)


@main.command()
@click.option("--refresh", is_flag=True, help="Write a new reference from the current cards.")
@click.option("--date", help="Date to record with --refresh (YYYY-MM-DD; default: today, UTC).")
@_project_option
def ratings(refresh: bool, date: str | None, project: Project) -> None:
    """Show each card's stars, or refresh the committed rating reference (ratings/reference.yaml).

    Ratings are pinned to the reference, so adding a card re-rates nothing until --refresh.
    """
    import datetime

    from generator.commands.ratings import format_ratings_text, refresh_ratings

    day = date or datetime.datetime.now(datetime.UTC).date().isoformat()
    result = refresh_ratings(project, day, write=refresh)
    if result.report.errors:
        _print_report(result.report, "text")
        sys.exit(1)
    click.echo(format_ratings_text(result, project, day))


@main.command()
@click.option("--write", is_flag=True, help="Write it to generator/data/card.schema.json.")
@click.option("--check", is_flag=True, help="Exit 1 if the committed schema is out of date.")
@_project_option
def schema(write: bool, check: bool, project: Project) -> None:
    """Print the card JSON Schema generated from the pydantic model.

    The schema is the generator's, the same for every project (--project is taken, as by
    every command, and changes nothing).
    """
    from generator.commands.schema import stale_schema_message, write_schema
    from generator.formats.card import card_json_schema_text

    if check and (stale := stale_schema_message()):
        click.echo(stale, err=True)
        sys.exit(1)
    if write and not check:
        click.echo(f"wrote {write_schema()}")
    elif not check:
        click.echo(card_json_schema_text(), nl=False)
