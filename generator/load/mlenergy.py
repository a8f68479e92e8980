"""Load stage for the ML.ENERGY leaderboard's files: -> `LeaderboardFigure`s + problems.

Three schemas of one number, GPU energy per request measured with Zeus (joules; kWh per 1,000
requests = J / 3,600): v2 legacy CSVs (`<GPU>_chat_benchmark.csv`, column `energy`, with
`models.json` for parameters in billions), v2 per-configuration JSON (`"Energy/req (J)"`) and v3
model x task files (`configurations[].energy_per_request_joules`, per image or per video for
diffusion models; `index.json` beside them). Every configuration is one figure.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.formats.leaderboards import (
    MLENERGY_LEGACY_COLUMNS,
    MLENERGY_TASKS,
    MLENERGY_V3_ENERGY_KEYS,
    LeaderboardFigure,
    LeaderboardSource,
    MlEnergyLegacyModel,
    MlEnergyV2Configuration,
    MlEnergyV3Index,
    MlEnergyV3ModelFile,
)
from generator.load.files import read_limited_text
from generator.load.leaderboard_files import missing_provenance, read_provenance
from generator.problems import Location, Problem
from generator.units import J_PER_KWH

V2_REPO, V3_REPO = "ml-energy/leaderboard-v2", "ml-energy/leaderboard"
V2_YEAR, V3_YEAR = 2024, 2026
PUBLISHER = "The ML.ENERGY Initiative (ml.energy/leaderboard)"
MAX_FILE_BYTES = 4 * 1024 * 1024
HARDWARE = {"H100": "NVIDIA H100 80GB HBM3", "B200": "NVIDIA B200"}
UNIT_NOTE = (
    "GPU energy only, measured with Zeus (NVML counters). The source gives joules per {per} "
    "({unit_source}); kWh per 1,000 {pers} = J per {per} / 3,600."
)
_LEGACY_NAME = re.compile(r"(?:^|__)([A-Za-z0-9]+)_chat_benchmark$")
_V2_NAME = re.compile(r"bs(\d+)\+tp(\d+)\+pp(\d+)$")


def read_mlenergy_file(
    path: Path, display_path: str
) -> tuple[list[LeaderboardFigure] | None, list[Problem]]:
    """The figures of one ML.ENERGY file: None when it is not one (or only index/models JSON)."""
    text, problems = read_limited_text(path, display_path, MAX_FILE_BYTES)
    if text is None:
        return [], problems
    if path.suffix == ".csv":
        return _read_legacy_csv(path, display_path, text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"expected an ML.ENERGY JSON file, got invalid JSON: {error.msg}"
        return [], [Problem(Location(display_path, error.lineno, error.colno), "bad-json", message)]
    if isinstance(data, dict) and "Energy/req (J)" in data:
        return _read_v2_json(path, display_path, data)
    if isinstance(data, dict) and "configurations" in data and "model_id" in data:
        return _read_v3_json(path, display_path, data)
    return None, []  # index.json, models.json, or another leaderboard's file


def _source(path: Path, display_path: str, repo: str, **fields: Any) -> tuple[Any, list[Problem]]:
    commits, problems = read_provenance(path, display_path)
    commit = commits.get(repo)
    if commit is None:
        return None, [*problems, missing_provenance(display_path, repo)]
    url = fields.pop("url").format(commit=commit)
    return LeaderboardSource(url=url, publisher=PUBLISHER, **fields), problems


def _kwh(joules: float) -> float:
    return joules / J_PER_KWH * 1000


def _read_legacy_csv(path: Path, display_path: str, text: str):
    match = _LEGACY_NAME.search(path.stem)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not match or not rows or tuple(c.strip() for c in rows[0]) != MLENERGY_LEGACY_COLUMNS:
        return None, []
    gpu = match.group(1)
    source, problems = _source(
        path,
        display_path,
        V2_REPO,
        key=f"ml-energy-v2-legacy-{gpu.lower()}",
        title=f"ML.ENERGY Leaderboard v2, legacy data: {gpu}_chat_benchmark.csv",
        url=f"https://github.com/{V2_REPO}/tree/{{commit}}/data/legacy",
        year=V2_YEAR,
    )
    if source is None:
        return [], problems
    models = _legacy_models(path)
    figures = []
    for line, row in enumerate(rows[1:], start=2):
        cells = dict(zip(MLENERGY_LEGACY_COLUMNS, (c.strip() for c in row), strict=False))
        try:
            joules = float(cells.get("energy", ""))
        except ValueError:
            joules = -1.0
        if not cells.get("model") or not joules >= 0:
            message = f"column energy (J): expected a number >= 0, got '{cells.get('energy', '')}'"
            problems.append(Problem(Location(display_path, line), "bad-number", message))
            continue
        model = cells["model"]
        known = models.get(model, MlEnergyLegacyModel())
        note = UNIT_NOTE.format(
            per="response",
            pers="responses",
            unit_source="the leaderboard's docs, docs/leaderboard.md: 'energy (J): the average "
            "GPU energy consumed by the model to generate a response'",
        )
        figures.append(
            LeaderboardFigure(
                leaderboard="mlenergy",
                model_id=model,
                task=MLENERGY_TASKS["chat"],
                source_task="chat",
                energy_kwh_per_1000_queries=_kwh(joules),
                source=source,
                where=f"{gpu}_chat_benchmark.csv, line {line} (model '{model}'), column energy "
                f"({_decimal(joules)} J per response)",
                note=note + " Batch size, GPU count and precision are not given in this file.",
                hardware=f"NVIDIA {gpu}",
                dataset="ML.ENERGY v2 chat workload (legacy)",
                configuration=f"NVIDIA {gpu} (ML.ENERGY v2 legacy chat)",
                params_billions=known.params,
                display_name=known.nickname,
            )
        )
    return figures, problems


def _legacy_models(path: Path) -> dict[str, MlEnergyLegacyModel]:
    for candidate in sorted(path.parent.glob("*models.json")):
        text, _ = read_limited_text(candidate, candidate.as_posix())
        try:
            data = json.loads(text or "")
            return {k: MlEnergyLegacyModel.model_validate(v) for k, v in data.items()}
        except (json.JSONDecodeError, ValidationError, AttributeError):
            return {}
    return {}


def _read_v2_json(path: Path, display_path: str, data: dict[str, Any]):
    try:
        config = MlEnergyV2Configuration.model_validate(data)
    except ValidationError as error:
        return [], [_invalid(display_path, error)]
    shape = _V2_NAME.search(path.stem)
    batch = config.max_batch_size or (int(shape.group(1)) if shape else None)
    upstream = f"data/llm_text_generation/chat/{config.gpu}/{config.model}".replace(" ", "%20")
    gpu_key = re.sub(r"[^a-z0-9]+", "-", config.gpu.lower()).strip("-")
    source, problems = _source(
        path,
        display_path,
        V2_REPO,
        key=f"ml-energy-v2-chat-{gpu_key}",
        title=f"ML.ENERGY Leaderboard v2 data, chat on {config.gpu}: {config.model}",
        url=f"https://github.com/{V2_REPO}/tree/{{commit}}/{upstream}",
        year=V2_YEAR,
    )
    if source is None:
        return [], problems
    name = shape.group(0) if shape else path.stem
    gpus = config.tensor_parallel * config.pipeline_parallel
    hardware = config.gpu if config.gpu.startswith("NVIDIA") else f"NVIDIA {config.gpu}"
    note = UNIT_NOTE.format(per="request", pers="requests", unit_source="key 'Energy/req (J)'")
    figure = LeaderboardFigure(
        leaderboard="mlenergy",
        model_id=config.model,
        task=MLENERGY_TASKS["chat"],
        source_task="chat",
        energy_kwh_per_1000_queries=_kwh(config.energy_per_request_j),
        source=source,
        where=f"{name}.json, key 'Energy/req (J)' "
        f"({_decimal(config.energy_per_request_j)} J per request)",
        note=note
        + f" Batch size is the maximum batch ('Max BS (reqs)'); TP{config.tensor_parallel}"
        f" PP{config.pipeline_parallel}.",
        hardware=hardware,
        dataset="ML.ENERGY v2 chat workload",
        batch_size=batch,
        gpu_count=gpus,
        configuration=f"{hardware} x{gpus}, batch {batch} (ML.ENERGY v2 chat)",
    )
    return [figure], problems


def _read_v3_json(path: Path, display_path: str, data: dict[str, Any]):
    try:
        model_file = MlEnergyV3ModelFile.model_validate(data)
    except ValidationError as error:
        return [], [_invalid(display_path, error)]
    index = _v3_index(path)
    year = int(index.last_updated[:4]) if index and index.last_updated else V3_YEAR
    task_name = model_file.task
    task = MLENERGY_TASKS.get(task_name)
    if task is None:
        message = f"expected an ML.ENERGY task ({', '.join(MLENERGY_TASKS)}), got '{task_name}'"
        return [], [Problem(Location(display_path), "not-a-leaderboard-file", message)]
    source, problems = _source(
        path,
        display_path,
        V3_REPO,
        key=f"ml-energy-v3-{task_name}",
        title=f"ML.ENERGY Leaderboard v3 data: {path.name.rpartition('v3__')[2]}",
        url=f"https://github.com/{V3_REPO}/blob/{{commit}}/public/data/models/"
        f"{model_file.model_id.replace('/', '__')}__{task_name}.json",
        year=year,
    )
    if source is None:
        return [], problems
    nickname = model_file.nickname or (
        index.models.get(model_file.model_id, {}) if index else {}
    ).get("nickname")
    figures, seen = [], set()
    for i, config in enumerate(model_file.configurations):
        key = next((k for k in MLENERGY_V3_ENERGY_KEYS if getattr(config, k) is not None), None)
        if key is None:
            keys = ", ".join(MLENERGY_V3_ENERGY_KEYS)
            message = f"configurations[{i}]: expected one of {keys}, got none"
            problems.append(Problem(Location(display_path), "missing-key", message))
            continue
        joules = getattr(config, key)
        per = key.removeprefix("energy_per_").removesuffix("_joules")
        hardware = HARDWARE.get(config.gpu_model, f"NVIDIA {config.gpu_model}")
        batch = config.max_num_seqs or config.batch_size
        parallel = ", ".join(
            f"{k} {v}" for k, v in sorted(config.parallelization.items()) if v not in ("", 1, None)
        )
        label = f"{config.gpu_model} x{config.num_gpus}, batch {batch}" + (
            f", {parallel}" if parallel else ""
        )
        name = f"{label} ({task_name})"
        if name in seen:
            name = f"{label} #{i} ({task_name})"
        seen.add(name)
        batch_note = (
            " Batch size is the server's maximum (max_num_seqs); the mean batch it ran is "
            f"{_decimal(config.model_extra.get('avg_batch_size', 0), 3)}."
            if config.max_num_seqs
            else ""
        )
        figures.append(
            LeaderboardFigure(
                leaderboard="mlenergy",
                model_id=model_file.model_id,
                task=task,
                source_task=task_name,
                energy_kwh_per_1000_queries=_kwh(joules),
                source=source,
                where=f"{path.name.rpartition('v3__')[2]}, configurations[{i}].{key} "
                f"({_decimal(joules)} J per {per})",
                note=UNIT_NOTE.format(per=per, pers=f"{per}s", unit_source=f"key '{key}'")
                + batch_note,
                hardware=hardware,
                dataset=f"ML.ENERGY v3 {task_name} workload",
                batch_size=batch,
                gpu_count=config.num_gpus,
                precision=model_file.weight_precision,
                configuration=name,
                params_billions=model_file.total_params_billions,
                display_name=nickname if isinstance(nickname, str) else None,
            )
        )
    return figures, problems


def _v3_index(path: Path) -> MlEnergyV3Index | None:
    for folder in (path.parent, path.parent.parent):
        candidate = folder / "index.json"
        if candidate.is_file():
            text, _ = read_limited_text(candidate, candidate.as_posix())
            try:
                return MlEnergyV3Index.model_validate(json.loads(text or ""))
            except (json.JSONDecodeError, ValidationError):
                return None
    return None


def _invalid(display_path: str, error: ValidationError) -> Problem:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = f"{where}: expected {first['msg'].lower()}, got {str(first.get('input'))[:80]!r}"
    return Problem(Location(display_path), "bad-value", message)


def _decimal(value: float, digits: int = 6) -> str:
    """A quoted figure to `digits` significant digits in plain decimals (1164110, not
    1.16411e+06; 2040, not 2.04e+03)."""
    return f"{float(f'{value:.{digits}g}'):f}".rstrip("0").rstrip(".")
