"""The `--as` option of `energy-cards inspect`: a format name, or `power-log:SPEC`.

Light on purpose (click and the layout format only), so the command line starts fast; the
option checks a power-log spec before any file is read, and a bad one is a usage error
(exit 2) saying what is wrong.
"""

from __future__ import annotations

import click

from generator.formats.power_log_layout import SPEC_EXAMPLE, layout_from_spec

FORMAT_NAMES = ("auto", "codecarbon", "nvidia-smi", "nvml-energy", "zeus")


def check_declared(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """`--as` checked: a format name, or power-log:SPEC (click.BadParameter otherwise)."""
    kind, colon, spec = value.partition(":")
    if not colon and value in FORMAT_NAMES:
        return value
    if kind != "power-log" or not spec.strip():
        expected = f"expected one of {', '.join(FORMAT_NAMES)}, or power-log:{SPEC_EXAMPLE}"
        raise click.BadParameter(f"{expected}; got {value!r}")
    _layout, error = layout_from_spec(spec)
    if error:
        raise click.BadParameter(f"power-log layout: {error}")
    return value


declared_format_option = click.option(
    "--as",
    "declared",
    default="auto",
    show_default=True,
    callback=check_declared,
    help="The file's format, when its header is not enough: auto, codecarbon, nvidia-smi,"
    " nvml-energy, zeus, or a power log (CSV, Parquet) as power-log:time=COLUMN:FORM,gpu=COLUMN,"
    "power=COLUMN:UNIT (FORM iso8601, epoch-s, epoch-ms, nvidia-smi; UNIT W, mW, W-text; one"
    " column per GPU: power=COLUMN+COLUMN:UNIT).",
)
