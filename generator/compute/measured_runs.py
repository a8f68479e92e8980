"""Compute stage for measurement files: runs -> kWh per 1,000 queries, provenance and CO2.

Pure: takes a card, the measurement files as the loader parsed them, and the grid table;
gives a `MeasuredInference`. Per run: energy in the card's scope / queries x 1,000; across runs:
the median with min and max. Provenance is `measured` only when every component counted came
from a sensor (NVML for GPUs, RAPL for CPUs); CodeCarbon's CPU power from a TDP table, and its
RAM model, make the figure `estimated`, and the page says why.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from generator.formats.card import Card, EnergyScope, MeasurementFile, MeasurementFormat, Provenance
from generator.formats.measurement_sidecar import MeasurementSidecar
from generator.load.codecarbon import CodeCarbonRun
from generator.load.grid import GridData, GridIntensity
from generator.load.measurement_files import MeasurementData
from generator.problems import Location, Problem
from generator.units import G_PER_KG, per_1000_queries

# CodeCarbon CPU modes that read a hardware energy counter (see its resource_tracker.py).
SENSOR_CPU_METHODS = {"intel_rapl", "powermetrics", "intel_power_gadget", "windows_emi", "amd_rapl"}
EMISSIONS_DISAGREEMENT = 0.05  # show both CO2 figures when they differ by more than 5%

_SCOPE_COMPONENTS = {
    EnergyScope.GPU: ("gpu",),
    EnergyScope.CPU: ("cpu",),
    EnergyScope.CPU_RAM: ("cpu", "ram"),
    EnergyScope.GPU_CPU_RAM: ("cpu", "gpu", "ram"),
    EnergyScope.NOT_STATED: ("cpu", "gpu", "ram"),
}


@dataclass(frozen=True)
class MeasuredRun:
    file: str
    line: int
    label: str
    queries: int
    energy_kwh: float  # in the card's scope
    energy_kwh_per_1000_queries: float
    components_kwh: dict[str, float] = field(default_factory=dict)
    duration_s: float | None = None
    intensity: GridIntensity | None = None
    intensity_basis: str = ""
    file_emissions_kg: float | None = None
    pue: float | None = None


@dataclass(frozen=True)
class CarbonFigure:
    """CO2 per 1,000 queries from energy x grid intensity, and the file's own figure."""

    g_co2e_per_1000_queries: float
    intensities: tuple[GridIntensity, ...]
    basis: str  # how the intensity was chosen
    file_g_co2e_per_1000_queries: float | None = None

    @property
    def disagrees_with_file(self) -> bool:
        own = self.file_g_co2e_per_1000_queries
        if own is None:
            return False
        reference = max(abs(own), abs(self.g_co2e_per_1000_queries), 1e-12)
        return abs(own - self.g_co2e_per_1000_queries) / reference > EMISSIONS_DISAGREEMENT


@dataclass(frozen=True)
class MeasuredInference:
    runs: tuple[MeasuredRun, ...]
    scope: EnergyScope
    provenance: Provenance
    provenance_notes: tuple[str, ...]
    carbon: CarbonFigure | None = None

    @property
    def per_1000(self) -> list[float]:
        return [run.energy_kwh_per_1000_queries for run in self.runs]

    @property
    def median_kwh_per_1000_queries(self) -> float:
        return statistics.median(self.per_1000)

    @property
    def min_kwh_per_1000_queries(self) -> float:
        return min(self.per_1000)

    @property
    def max_kwh_per_1000_queries(self) -> float:
        return max(self.per_1000)

    @property
    def files(self) -> list[str]:
        return sorted({run.file for run in self.runs})

    def component_median_kwh_per_1000(self, component: str) -> float | None:
        values = [
            per_1000_queries(run.components_kwh[component], run.queries)
            for run in self.runs
            if component in run.components_kwh
        ]
        return statistics.median(values) if values else None


def _selected(runs: Sequence[CodeCarbonRun], ref: MeasurementFile) -> list[CodeCarbonRun]:
    select = ref.select
    if select is None:
        return list(runs)
    return [
        run
        for run in runs
        if (select.project_name is None or run.project_name == select.project_name)
        and (select.experiment_id is None or run.experiment_id == select.experiment_id)
        and (select.run_id is None or run.run_id in select.run_id)
    ]


def _cpu_method(sidecar: MeasurementSidecar | None) -> str | None:
    return sidecar.codecarbon.cpu_method if sidecar else None


def _codecarbon_provenance(
    components: set[str], sidecar: MeasurementSidecar | None
) -> tuple[bool, list[str]]:
    """(all measured?, reasons) for the components a figure counts."""
    notes = []
    measured = True
    if "cpu" in components:
        method = _cpu_method(sidecar)
        if method in SENSOR_CPU_METHODS:
            notes.append(f"CPU energy read from {method.replace('_', ' ')} (a sensor)")
        else:
            measured = False
            notes.append(
                f"CPU energy estimated by CodeCarbon ({method} mode: power from the CPU's TDP, "
                "not a sensor)"
                if method
                else "CPU energy: CodeCarbon's file does not record how CPU power was obtained "
                "(RAPL sensor or TDP estimate), so it counts as estimated"
            )
    if "ram" in components:
        measured = False
        notes.append("RAM energy is CodeCarbon's model from memory size, an estimate")
    if "gpu" in components:
        notes.append("GPU energy read from NVML (a sensor)")
    return measured, notes


def _intensity_for(
    card: Card, country: str | None, grid: GridData
) -> tuple[GridIntensity | None, str]:
    inference = card.inference
    figure = inference.carbon_intensity_g_per_kwh if inference else None
    if figure is not None:
        source = card.sources[figure.source]
        return (
            GridIntensity(
                zone="stated on the card",
                intensity_g_per_kwh=figure.value,
                dataset=source.title,
                year=source.year,
                url=source.url,
            ),
            "the intensity stated on the card",
        )
    zone = inference.grid if inference else None
    if zone and zone.cloud_provider and zone.cloud_region:
        key = (zone.cloud_provider.lower(), zone.cloud_region.lower())
        return grid.cloud_regions.get(key), "the card's cloud region"
    if zone and zone.us_state:
        return grid.us_states.get(zone.us_state.lower()), "the card's US state"
    if zone and zone.country_iso_code:
        return grid.countries.get(zone.country_iso_code), "the card's country"
    if country:
        return grid.countries.get(country.upper()), "the country CodeCarbon recorded"
    return None, ""


def _codecarbon_runs(
    card: Card, ref: MeasurementFile, data: MeasurementData, grid: GridData
) -> tuple[list[MeasuredRun], set[str], list[Problem]]:
    scope = card.inference.conditions.scope
    parsed = data.codecarbon
    runs, problems, counted = [], [], set()
    wanted = _SCOPE_COMPONENTS.get(scope)
    if wanted is None:
        problems.append(
            Problem(
                Location(data.display_path),
                "scope-mismatch",
                f"expected a scope CodeCarbon can measure, got '{scope.value}' "
                "(CodeCarbon does not measure at the plug)",
            )
        )
        return [], counted, problems
    for run in _selected(parsed.runs, ref):
        parts = {"cpu": run.cpu_energy_kwh, "gpu": run.gpu_energy_kwh, "ram": run.ram_energy_kwh}
        if scope in (EnergyScope.GPU_CPU_RAM, EnergyScope.NOT_STATED):
            energy_kwh = run.energy_kwh
            components = {k: v for k, v in parts.items() if v is not None}
        else:
            missing = [name for name in wanted if parts[name] is None]
            if missing:
                problems.append(
                    Problem(
                        Location(data.display_path, run.line),
                        "scope-mismatch",
                        f"expected {', '.join(c + '_energy' for c in missing)} for scope "
                        f"'{scope.value}', got a file without it ({parsed.generation})",
                    )
                )
                continue
            components = {name: parts[name] for name in wanted}
            energy_kwh = sum(components.values())
        if energy_kwh == 0 and scope is not EnergyScope.NOT_STATED:
            problems.append(
                Problem(
                    Location(data.display_path, run.line),
                    "scope-mismatch",
                    f"expected energy in scope '{scope.value}' for this run, got 0 kWh "
                    "(no such component measured?)",
                )
            )
            continue
        counted |= {name for name, value in components.items() if value}
        intensity, basis = _intensity_for(card, run.country_iso_code, grid)
        runs.append(
            MeasuredRun(
                file=data.display_path,
                line=run.line,
                label=run.run_id or f"line {run.line}",
                queries=ref.queries,
                energy_kwh=energy_kwh,
                energy_kwh_per_1000_queries=per_1000_queries(energy_kwh, ref.queries),
                components_kwh=components,
                duration_s=run.duration_s,
                intensity=intensity,
                intensity_basis=basis,
                file_emissions_kg=run.emissions_kg_co2e,
                pue=run.pue,
            )
        )
    if not runs and not problems:
        problems.append(
            Problem(
                Location(data.display_path),
                "no-runs",
                "expected at least one run matching `select`, found none",
            )
        )
    return runs, counted, problems


def _gpu_runs(
    card: Card, ref: MeasurementFile, data: MeasurementData, grid: GridData
) -> tuple[list[MeasuredRun], list[Problem]]:
    """Runs from GPU-only files (power logs, energy counters): they can only be scope `gpu`."""
    problems = []
    if card.inference.conditions.scope is not EnergyScope.GPU:
        problems.append(
            Problem(
                Location(data.display_path),
                "scope-mismatch",
                f"expected the card's scope to be 'gpu' for a {data.format.value} file, "
                f"got '{card.inference.conditions.scope.value}'",
                hint="a GPU power or energy log measures GPUs only: set conditions.scope: gpu",
            )
        )
    intensity, basis = _intensity_for(card, None, grid)
    if data.counters is not None:
        pairs = [(r.name, r.line, r.energy_kwh, r.duration_s) for r in data.counters.runs]
    else:
        from generator.compute.power import integrate_power

        energy = integrate_power(data.power_log)
        if energy.energy_kwh is None:
            return [], problems
        pairs = [("whole log", 1, energy.energy_kwh, energy.duration_s)]
    runs = [
        MeasuredRun(
            file=data.display_path,
            line=line,
            label=label,
            queries=ref.queries,
            energy_kwh=energy_kwh,
            energy_kwh_per_1000_queries=per_1000_queries(energy_kwh, ref.queries),
            components_kwh={"gpu": energy_kwh},
            duration_s=duration_s,
            intensity=intensity,
            intensity_basis=basis,
        )
        for label, line, energy_kwh, duration_s in pairs
    ]
    return runs, problems


def _carbon(runs: list[MeasuredRun]) -> CarbonFigure | None:
    if not runs or any(run.intensity is None for run in runs):
        return None
    per_run = [run.energy_kwh_per_1000_queries * run.intensity.intensity_g_per_kwh for run in runs]
    own = [
        run.file_emissions_kg * G_PER_KG / run.queries * 1000.0
        for run in runs
        if run.file_emissions_kg is not None
    ]
    intensities = tuple({run.intensity.zone: run.intensity for run in runs}.values())
    return CarbonFigure(
        g_co2e_per_1000_queries=statistics.median(per_run),
        intensities=intensities,
        basis=", ".join(dict.fromkeys(run.intensity_basis for run in runs)),
        file_g_co2e_per_1000_queries=statistics.median(own) if len(own) == len(runs) else None,
    )


def measure_inference(
    card: Card,
    files: Sequence[tuple[MeasurementFile, MeasurementData]],
    grid: GridData,
) -> tuple[MeasuredInference | None, list[Problem]]:
    """All runs of all files of a card, in its scope, with provenance and CO2."""
    if card.inference is None or not files:
        return None, []
    runs: list[MeasuredRun] = []
    problems: list[Problem] = []
    notes: list[str] = []
    measured = True
    for ref, data in files:
        if data.format is MeasurementFormat.CODECARBON:
            file_runs, counted, more = _codecarbon_runs(card, ref, data, grid)
            all_measured, why = _codecarbon_provenance(counted, data.sidecar)
            measured = measured and all_measured
            notes.extend(why)
        else:
            file_runs, more = _gpu_runs(card, ref, data, grid)
            notes.append(f"GPU energy from {data.format.value} ({data.display_path}), a sensor")
        runs.extend(file_runs)
        problems.extend(more)
    if not runs:
        return None, problems
    return (
        MeasuredInference(
            runs=tuple(runs),
            scope=card.inference.conditions.scope,
            provenance=Provenance.MEASURED if measured else Provenance.ESTIMATED,
            provenance_notes=tuple(dict.fromkeys(notes)),
            carbon=_carbon(runs),
        ),
        problems,
    )
