"""Command line: parse options, call one function, map the result to an exit code.

Exit codes: 0 clean, 1 problems found, 2 usage error. Library code never prints; this module
is the only place results become text and exceptions become messages.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator import __version__
from generator.problems import REPORTERS, Report
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
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. unknown keys) as errors.")
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
    shown = result.site_dir
    if shown.is_relative_to(Path.cwd()):
        shown = shown.relative_to(Path.cwd())
    click.echo(
        f"built {result.card_count} cards into {shown.as_posix()}/ "
        f"(open {shown.as_posix()}/index.html, or run `energy-cards serve`)"
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@_project_option
def serve(host: str, port: int, project: Project) -> None:
    """Live preview: rebuilds and reloads the page when a card or measurement file changes."""
    from generator.site.serve import serve_site

    serve_site(project, host=host, port=port, log=lambda text: click.echo(text, err=True))


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--card", "card_id", required=True, help="Card id: files go to measurements/ID/.")
@click.option("--queries", required=True, type=click.IntRange(min=1), help="Queries per run.")
@click.option("--runs", default=1, show_default=True, type=click.IntRange(min=1, max=100))
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
    click.echo(f"measured {len(run_ids)} run(s) of {queries} queries into {folder}/")
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
)
@click.option(
    "--as",
    "declared",
    type=click.Choice(["auto", "codecarbon", "nvidia-smi", "nvml-energy", "zeus"]),
    default="auto",
    show_default=True,
    help="The file's format, when detection from its header is not enough.",
)
def inspect(file: Path, output_format: str, declared: str) -> None:
    """Show what the loader makes of one measurement file, without a card."""
    from generator.commands.inspect import (
        format_inspection_json,
        format_inspection_text,
        inspect_file,
    )

    report, problems = inspect_file(file, declared)
    if output_format == "json":
        click.echo(format_inspection_json(report))
    else:
        click.echo(format_inspection_text(report, problems))
    sys.exit(1 if problems else 0)


@main.command()
@click.argument("card_id")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["label-svg", "badge-svg", "model-card-md", "hf-metadata", "json"]),
    required=True,
    help="What to print.",
)
@click.option(
    "--site-url",
    default=None,
    help="Where the site is published (http/https), for links back to the card page.",
)
@_project_option
def export(card_id: str, output_format: str, site_url: str | None, project: Project) -> None:
    """Print one card's publishing kit: label, badge, model-card section, HF metadata, JSON."""
    from generator.render.publish import EXPORT_FORMATS
    from generator.site.build import summarize_project

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
    from generator.commands.import_hf import ImportHfError, import_model_card

    try:
        path, problems = import_model_card(project.root, readme, card_id, repo_id)
    except ImportHfError as error:
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
@click.option(
    "--date",
    default=None,
    help="Date to record with --refresh (YYYY-MM-DD; default: today, UTC).",
)
@_project_option
def ratings(refresh: bool, date: str | None, project: Project) -> None:
    """Show each card's stars, or refresh the committed rating reference (ratings/reference.yaml).

    Ratings are pinned to the reference, so adding a card re-rates nothing until --refresh.
    """
    import datetime

    from generator.commands.ratings import refresh_ratings
    from generator.units import format_number

    day = date or datetime.datetime.now(datetime.UTC).date().isoformat()
    result = refresh_ratings(project, day, write=refresh)
    if result.report.errors:
        _print_report(result.report, "text")
        sys.exit(1)
    if result.written:
        click.echo(f"wrote {result.written.relative_to(project.root).as_posix()} dated {day}")
        for card_id, before, after in result.moved:
            click.echo(f"  {card_id}: {before or '-'} -> {after or '-'} stars")
        if not result.moved:
            click.echo("  no rating moves")
        return
    for summary in result.summaries:
        rating = summary.rating
        energy = summary.headline_inference_energy
        stars = f"{rating.stars} stars" if rating.stars else f"not rated: {rating.reason}"
        figure = f"{format_number(energy.value)} kWh/1,000 queries" if energy else "-"
        click.echo(f"{summary.card.id}: {stars} ({figure})")


@main.command()
@click.option("--write", is_flag=True, help="Write it to generator/data/card.schema.json.")
@click.option("--check", is_flag=True, help="Exit 1 if the committed schema is out of date.")
def schema(write: bool, check: bool) -> None:
    """Print the card JSON Schema generated from the pydantic model."""
    from generator.formats.card import COMMITTED_SCHEMA_PATH, card_json_schema_text

    text = card_json_schema_text()
    if check:
        if COMMITTED_SCHEMA_PATH.read_text(encoding="utf-8") != text:
            click.echo(
                f"{COMMITTED_SCHEMA_PATH} is out of date: run `energy-cards schema --write`",
                err=True,
            )
            sys.exit(1)
        return
    if write:
        COMMITTED_SCHEMA_PATH.write_text(text, encoding="utf-8")
        click.echo(f"wrote {COMMITTED_SCHEMA_PATH}")
        return
    click.echo(text, nl=False)
