"""Load stage for any measurement file: detect its format, read it, and read the sidecar.

Takes a path (and the format a card states, or "auto"); gives a `MeasurementData` holding the
parsed file and the `measurement.json` sidecar that `energy-cards measure` writes beside it
(format: `generator.formats.measurement_sidecar`), with its problems located at line:col.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.formats.card import MeasurementFormat
from generator.formats.measurement_sidecar import SIDECAR_NAME, MeasurementSidecar
from generator.formats.power_log_layout import PowerLogLayout, PowerUnit, TimeForm
from generator.load.cards import CardFile, parse_card_text
from generator.load.codecarbon import CodeCarbonFile, looks_like_codecarbon, parse_codecarbon_text
from generator.load.energy_counters import (
    CounterFile,
    is_nvml_energy_header,
    is_zeus_header,
    parse_nvml_energy_text,
    parse_zeus_text,
)
from generator.load.files import (
    MAX_MEASUREMENT_FILE_BYTES,
    STREAM_FROM_BYTES,
    read_limited_text,
)
from generator.load.measurement_text import read_measurement_bytes
from generator.load.nvidia_smi_layout import read_header
from generator.load.power_log_hints import GENERIC_HINT, suggest_layout
from generator.load.validation import has_errors, validate_marked
from generator.problems import Location, Problem, Severity


@dataclass(frozen=True)
class MeasurementData:
    """One measurement file as read: exactly one of the parsed forms is set."""

    path: Path
    display_path: str
    format: MeasurementFormat
    codecarbon: CodeCarbonFile | None = None
    power_log: Any = None  # generator.load.nvidia_smi.PowerSamples
    counters: CounterFile | None = None
    sidecar: MeasurementSidecar | None = None


def detect_format(first_line: str) -> MeasurementFormat | None:
    """The format a file's first line announces, or None."""
    header = [cell.strip().strip('"').lower() for cell in first_line.lstrip("\ufeff").split(",")]
    if looks_like_codecarbon(header):
        return MeasurementFormat.CODECARBON
    if is_zeus_header(header):
        return MeasurementFormat.ZEUS
    if is_nvml_energy_header(header):
        return MeasurementFormat.NVML_ENERGY
    if any(cell.startswith("power.draw") for cell in header):
        return MeasurementFormat.NVIDIA_SMI
    # nvidia-smi with noheader: "2024/10/30 18:42:33.189, 0, 208.36 W"
    if len(header) >= 3 and header[0][:4].isdigit() and header[0][4:5] in "/-":
        return MeasurementFormat.NVIDIA_SMI
    return None


def parse_sidecar_text(
    text: str, display_path: str
) -> tuple[MeasurementSidecar | None, list[Problem]]:
    """measurement.json text -> the sidecar (None on any error) and located problems."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        problem = Problem(
            Location(display_path, error.lineno, error.colno),
            "bad-sidecar",
            f"expected the JSON that `energy-cards measure` writes, got invalid JSON: {error.msg}",
        )
        return None, [problem]
    # JSON is YAML: the YAML reader gives each key's line and column (and duplicate keys).
    marked, problems = parse_card_text(text, Path(SIDECAR_NAME), display_path, empty_hint="")
    if marked.data is None:
        marked, problems = CardFile(Path(SIDECAR_NAME), display_path), []
    marked.data = data
    sidecar, more = validate_marked(marked, MeasurementSidecar, format_name="measurement.json")
    problems += more
    return (None if has_errors(problems) else sidecar), problems


def read_sidecar(
    folder: Path, display_folder: str
) -> tuple[MeasurementSidecar | None, list[Problem]]:
    """The sidecar of a measurement folder: None when there is none or it has errors."""
    path = folder / SIDECAR_NAME
    if not path.is_file():
        return None, []
    display_path = f"{display_folder}/{SIDECAR_NAME}"
    text, problems = read_limited_text(path, display_path, encoding_code="bad-sidecar")
    if text is None:
        return None, problems
    return parse_sidecar_text(text, display_path)


_FORMAT_NAMES = {
    MeasurementFormat.CODECARBON: "a CodeCarbon emissions.csv (columns duration, energy_consumed)",
    MeasurementFormat.NVIDIA_SMI: "an nvidia-smi power log (a power.draw column)",
    MeasurementFormat.NVML_ENERGY: "NVML energy counters (a total_energy_mj column)",
    MeasurementFormat.ZEUS: "a Zeus log (columns window_name, gpu0_energy, ...)",
    MeasurementFormat.POWER_LOG: "a power log read as its declared layout",
}


def read_measurement_file(
    path: Path,
    display_path: str,
    declared: MeasurementFormat = MeasurementFormat.AUTO,
    layout: PowerLogLayout | None = None,
) -> tuple[MeasurementData | None, list[Problem]]:
    """Read one file in its declared (or detected) format, plus its folder's sidecar.

    The path is checked before it is opened (a FIFO or a folder is refused, never read), and
    a declared format is checked against the header: a file that is plainly another format
    gets `wrong-format` instead of a wrong number. A `power-log` (with its `layout`), and an
    nvidia-smi log from `STREAM_FROM_BYTES` up, are read by the streaming engine
    (`generator.load.power_log`); a large nvidia-smi log it finds irregular is read whole,
    line by line, when it fits `MAX_MEASUREMENT_FILE_BYTES`.
    """
    if declared is MeasurementFormat.POWER_LOG:
        return _read_streamed(path, display_path, declared, layout, strict=False)
    if declared in (MeasurementFormat.AUTO, MeasurementFormat.NVIDIA_SMI):
        streamed = _stream_nvidia_smi(path, display_path)
        if streamed is not None:
            return streamed
    raw, problems = read_measurement_bytes(path, display_path)
    if raw is None:
        return None, problems
    first_line = raw.split(b"\n", 1)[0][:4096].decode("utf-8-sig", errors="replace")
    detected = detect_format(first_line)
    kind = detected if declared is MeasurementFormat.AUTO else declared
    shown = first_line.strip()[:60]
    if kind is None:
        return None, problems + [
            Problem(
                Location(display_path, 1),
                "unknown-format",
                "expected a CodeCarbon emissions.csv, an nvidia-smi power log, NVML energy "
                f"counters or a Zeus log, got a file starting {shown!r}",
                hint="say which with `format:` on the card, or check the file; "
                + suggest_layout(path),
            )
        ]
    if detected is not None and detected is not kind:
        return None, problems + [
            Problem(
                Location(display_path, 1),
                "wrong-format",
                f"expected {_FORMAT_NAMES[kind]} as declared, got the header of"
                f" {_FORMAT_NAMES[detected]}: {shown!r}",
                hint=f"declare format: {detected.value} (or leave it out), or check the path",
            )
        ]
    sidecar, more = read_sidecar(path.parent, display_path.rsplit("/", 1)[0])
    problems = problems + more
    text = raw.decode("utf-8-sig", errors="replace")
    if kind is MeasurementFormat.CODECARBON:
        parsed, more = parse_codecarbon_text(text, display_path)
        data = MeasurementData(path, display_path, kind, codecarbon=parsed, sidecar=sidecar)
        return (data if parsed else None), problems + more
    if kind in (MeasurementFormat.ZEUS, MeasurementFormat.NVML_ENERGY):
        parse = parse_zeus_text if kind is MeasurementFormat.ZEUS else parse_nvml_energy_text
        parsed_counters, more = parse(text, display_path)
        data = MeasurementData(path, display_path, kind, counters=parsed_counters, sidecar=sidecar)
        if parsed_counters is None:
            return None, problems + _with_layout_hint(path, more)
        return data, problems + more
    from generator.load.nvidia_smi import parse_nvidia_smi_bytes

    samples, more = parse_nvidia_smi_bytes(raw, display_path)
    data = MeasurementData(path, display_path, kind, power_log=samples, sidecar=sidecar)
    if samples is None:
        return None, problems + _with_layout_hint(path, more)
    return data, problems + more


def _with_layout_hint(path: Path, problems: list[Problem]) -> list[Problem]:
    """A refused file's first error also says which power-log layout would likely read it."""
    hint = suggest_layout(path)
    first = next((p for p in problems if p.severity is Severity.ERROR), None)
    if first is None or hint == GENERIC_HINT:
        return problems
    joined = f"{first.hint}; {hint}" if first.hint else hint
    return [replace(p, hint=joined) if p is first else p for p in problems]


def _stream_nvidia_smi(
    path: Path, display_path: str
) -> tuple[MeasurementData | None, list[Problem]] | None:
    """A large nvidia-smi log with a header read by the streaming engine; None to read it whole.

    Files under `STREAM_FROM_BYTES`, without a usable header, or found irregular while
    `MAX_MEASUREMENT_FILE_BYTES` still lets them be read whole, give None.
    """
    try:
        size = path.stat().st_size if path.is_file() else 0
        with open(path, "rb") if size >= STREAM_FROM_BYTES else nullcontext() as handle:
            first = handle.readline(4096).decode("utf-8-sig", "replace") if handle else ""
    except (OSError, ValueError):
        return None
    header = read_header(first.rstrip("\r\n"), 1) if first[:1].islower() else None
    if not header or None in (header.time, header.gpu_id, header.power):
        return None
    layout = PowerLogLayout(
        time_column=header.name(header.time),
        time_form=TimeForm.NVIDIA_SMI,
        gpu_column=header.name(header.gpu_id),
        power_column=header.name(header.power),
        power_unit=PowerUnit.W_TEXT,
    )
    strict = size <= MAX_MEASUREMENT_FILE_BYTES
    data, problems = _read_streamed(
        path, display_path, MeasurementFormat.NVIDIA_SMI, layout, strict=strict
    )
    return None if data is None and problems is None else (data, problems)


def _read_streamed(
    path: Path,
    display_path: str,
    kind: MeasurementFormat,
    layout: PowerLogLayout | None,
    *,
    strict: bool,
) -> tuple[MeasurementData | None, list[Problem] | None]:
    """Read a power log through the engine; (None, None) when `strict` found it irregular."""
    from generator.load.power_log import read_power_log

    if layout is None:
        message = "expected a layout for format power-log (where time, GPU and power are), got none"
        hint = suggest_layout(path)
        problem = Problem(
            Location(display_path, 1), "missing-key", message, key="layout", hint=hint
        )
        return None, [problem]
    nvidia = kind is MeasurementFormat.NVIDIA_SMI
    samples, problems, irregular = read_power_log(
        path, display_path, layout, strict=strict, nvidia_ids=nvidia
    )
    if irregular:
        return None, None
    sidecar, more = read_sidecar(path.parent, display_path.rsplit("/", 1)[0])
    data = MeasurementData(path, display_path, kind, power_log=samples, sidecar=sidecar)
    return (data if samples else None), problems + more
