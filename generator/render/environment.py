"""Render stage: the one jinja2 environment every template is rendered with.

Pages, labels, badges, the publishing kit and the card drafts (`new`, `import-hf`) all come
from `templates/` through `render_template`. How a `{{ ... }}` is escaped follows the
template's kind, named by its file name:

- `*.md.j2` (Markdown pages and snippets): every value is escaped for Markdown unless a filter
  marked it safe (`Markup`), so forgetting a filter can never let card text become markup.
- `*.svg.j2` (label, badge): XML autoescape.
- `*.yaml.j2` (card drafts): written as given; templates quote values with the `q` filter.

Number formatting, escaping and the other filters are defined once, here.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from generator.formats.card import TASK_LABELS
from generator.formats.rating_reference import MIN_GROUP_CARDS
from generator.load.measurement_paths import published_measurement_path
from generator.render.escaping import (
    SCOPE_LABELS,
    escape_markdown,
    stars_text,
    yaml_comment,
    yaml_scalar,
)
from generator.render.figure_text import (
    ai_energy_score_why,
    break_even_why,
    carbon_basis_text,
    derivation_text,
    emissions_text,
    energy_text,
    figure_quantity,
    figure_units,
    rating_group_in_task,
    rating_group_short,
    rating_group_text,
)
from generator.render.svg_text import clean_text
from generator.units import (
    emissions_unit_for,
    energy_unit_for,
    format_count,
    format_count_words,
    format_number,
    grams_to_kg,
    tonnes_to_kg,
)

SITE_NAME = "Model Energy Cards"
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@jinja2.pass_context
def _finalize(context: jinja2.runtime.Context, value: Any) -> Any:
    """Markdown templates escape what no filter marked safe; the others write as given."""
    if not (context.name or "").endswith(".md.j2"):
        return value
    if value is None:
        return ""
    return value if isinstance(value, Markup) else escape_markdown(value)


def _autoescape(template_name: str | None) -> bool:
    return (template_name or "").endswith(".svg.j2")


def _link(text: Any, url: str | None) -> Markup:
    """An HTML link with escaped text; urls are validated http(s) at load time."""
    label = escape_markdown(clean_text(text))
    if not url:
        return Markup(label)
    return Markup(f'<a href="{html.escape(url, quote=True)}">{label}</a>')


def _url(value: str) -> Markup:
    """A link target: characters that could end a Markdown link or an attribute are encoded."""
    return Markup(quote(str(value), safe=":/?#[]@!$&*+,;=%~-._"))


def _md_link(text: Any, url: str) -> Markup:
    return Markup(f"[{escape_markdown(clean_text(text))}]({_url(url)})")


def _url_path(value: str) -> Markup:
    """A relative path for a Markdown link target (percent-encoded, no parentheses)."""
    return Markup(quote(str(value), safe="/._-"))


def _slug(value: Any) -> Markup:
    """A card id or task id, unescaped for use in link targets (validated as a slug)."""
    text = str(getattr(value, "value", value))
    if not _SLUG.match(text):
        raise ValueError(f"not a slug: {text!r}")
    return Markup(text)


def _html(value: Any) -> Markup:
    """Text for raw HTML blocks, which Markdown leaves alone: HTML-escaped only."""
    return Markup(html.escape(str(value), quote=True))


def _code(value: Any) -> Markup:
    """A Markdown code span: its content is literal (Markdown escapes <, >, & in it), so only
    backticks need handling."""
    return Markup("`" + clean_text(value).replace("`", "'") + "`")


def _fence(text: str) -> Markup:
    """A fenced code block that no run of backticks or tildes inside `text` can close."""
    longest = max((len(m) for m in re.findall(r"~+|`+", text)), default=0)
    fence = "~" * max(4, longest + 1)
    return Markup(f"{fence}\n{text.rstrip()}\n{fence}")


def _stars(count: int) -> Markup:
    """Filled and empty stars, with a text alternative for screen readers."""
    return Markup(
        f'<span class="ec-stars" role="img" aria-label="{count} of 5 stars">'
        f"{stars_text(count)}</span>"
    )


def _raw_number(value: float | None) -> Markup:
    """A number for an HTML data attribute (JavaScript reads it with Number())."""
    return Markup("" if value is None else repr(float(value)))


def _value(value: Any) -> str | Markup:
    """A figure in a diff: numbers formatted, nothing shown as "none"."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return Markup(format_number(value))  # digits, commas and a point: nothing to escape
    return clean_text(value)


def _yaml_string(value: Any) -> Markup:
    """A front-matter value: themes write these into HTML as given, in text (titles, tags) and
    in attributes (`<meta name="description" content="...">`), so <, >, & and both quotes are
    entities; `&` also because themes unescape titles when stripping tags."""
    return Markup(yaml_scalar(html.escape(clean_text(value), quote=True)))


def _badge(provenance: str) -> Markup:
    word = escape_markdown(provenance)
    return Markup(f'<span class="ec-badge ec-badge--{word}">{word}</span>')


def _emissions(value: float, unit: str | None = None, given_in: str = "kg") -> str:
    """A CO2e mass given in kg (or `given_in` "t" or "g") in a readable unit: '1.9 kt'."""
    to_kg = {"kg": float, "t": tonnes_to_kg, "g": grams_to_kg}[given_in]
    return emissions_text(to_kg(value), unit)


def _plain_text(render: Any) -> Any:
    """A filter whose text is digits, separators and unit words: HTML-escaped once (for the
    '< 0.0001' of tiny values) and then safe, so Markdown does not backslash its points."""

    def text(*args: Any) -> Markup:
        return Markup(html.escape(str(render(*args)), quote=False))

    return text


def _energy_unit(values_kwh: Any) -> str:
    """One energy unit for values shown together (a table column)."""
    return energy_unit_for([float(v) for v in values_kwh if v is not None])


def _emissions_unit(values: Any, given_in: str = "kg") -> str:
    """One emissions unit for values shown together, given in kg (or "t", "g")."""
    to_kg = {"kg": float, "t": tonnes_to_kg, "g": grams_to_kg}[given_in]
    return emissions_unit_for([to_kg(v) for v in values if v is not None])


@cache  # built once per process: it holds only code (filters, loader), no data
def template_environment() -> jinja2.Environment:
    """The environment: strict about undefined names, deterministic whitespace."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=_autoescape,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        aies_why=ai_energy_score_why,
        break_even_why=break_even_why,
        rating_group=rating_group_text,
        rating_group_short=rating_group_short,
        rating_group_in_task=rating_group_in_task,
        badge=_badge,
        carbon_basis=carbon_basis_text,
        code=_code,
        derivation=derivation_text,
        emissions=_plain_text(_emissions),
        emissions_unit=_emissions_unit,
        energy=_plain_text(energy_text),
        energy_unit=_energy_unit,
        quantity=_plain_text(figure_quantity),
        figure_units=figure_units,
        comment=yaml_comment,
        count=format_count,
        count_words=format_count_words,
        fence=_fence,
        html=_html,
        inline=clean_text,
        link=_link,
        md_link=_md_link,
        number=format_number,
        published_path=published_measurement_path,
        q=yaml_scalar,
        raw_number=_raw_number,
        slug=_slug,
        stars=_stars,
        url=_url,
        url_path=_url_path,
        value=_value,
        yaml_string=_yaml_string,
    )
    environment.globals.update(
        TASK_LABELS=TASK_LABELS,
        SCOPE_LABELS=SCOPE_LABELS,
        site_name=SITE_NAME,
        MIN_GROUP_CARDS=MIN_GROUP_CARDS,
    )
    return environment


def render_template(template: str, **context: Any) -> str:
    """Render `templates/<template>` with the context given."""
    return template_environment().get_template(template).render(**context)
