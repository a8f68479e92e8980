"""Render stage: how a figure was derived and what its carbon assumes, in words. Pure.

Compute records derivations and carbon bases as numbers (`Derivation`, `CarbonBasis`); pages,
the publishing kit and the per-card JSON say them with these sentences.
"""

from __future__ import annotations

from generator.compute.summary import CarbonBasis, Derivation
from generator.units import format_number

_GPU_HOURS_X_POWER = (
    "computed here: accelerator time x power per GPU, both as cited below; "
    "excludes CPUs, memory, networking and data-centre overhead"
)


def derivation_text(derivation: Derivation) -> str:
    """E.g. 'median of 3 runs (min 0.01, max 0.02) in measurements/x/emissions.csv'."""
    if derivation.method == "gpu-hours-x-power":
        return _GPU_HOURS_X_POWER
    runs = derivation.runs
    spread = ""
    if runs > 1 and derivation.min_kwh_per_1000_queries is not None:
        low = format_number(derivation.min_kwh_per_1000_queries)
        high = format_number(derivation.max_kwh_per_1000_queries or 0.0)
        spread = f" (min {low}, max {high})"
    plural = "s" if runs != 1 else ""
    return f"median of {runs} run{plural}{spread} in " + ", ".join(derivation.files)


def carbon_basis_text(basis: CarbonBasis | None) -> str:
    """E.g. 'the measured energy at 56 g CO₂e/kWh, FRA'; '' when there is none."""
    if basis is None:
        return ""
    if basis.kind == "training-emissions":
        return f"the {basis.figure_label.lower()} above"
    if basis.kind == "measured-grid":
        zones = "; ".join(
            f"{format_number(i.intensity_g_per_kwh)} g CO₂e/kWh, {i.zone}"
            for i in basis.intensities
        )
        return f"the measured energy at {zones}"
    return "the reported emissions per 1,000 queries above"
