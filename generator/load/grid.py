"""Load stage for grid carbon intensity: the datasets CodeCarbon ships in its package.

Takes nothing (finds the installed `codecarbon` package); gives a `GridData` table of
intensities in g CO2eq/kWh by country (ISO 3166 alpha-3), US state and cloud region, each with
the dataset it comes from and its year, so a card page can say which figure it used.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.resources
import json
from dataclasses import dataclass, field

from generator.units import lbs_per_mwh_to_g_per_kwh


@dataclass(frozen=True)
class GridIntensity:
    """One zone's carbon intensity and where the number comes from."""

    zone: str  # "FRA", "US state: california", "gcp europe-west1"
    intensity_g_per_kwh: float
    dataset: str
    year: int | None
    url: str | None = None


@dataclass(frozen=True)
class GridData:
    codecarbon_version: str
    countries: dict[str, GridIntensity] = field(default_factory=dict)
    us_states: dict[str, GridIntensity] = field(default_factory=dict)
    cloud_regions: dict[tuple[str, str], GridIntensity] = field(default_factory=dict)


_ENERGY_MIX = "data/private_infra/global_energy_mix.json"
_US_STATES = "data/private_infra/2023/usa_emissions.json"
_CLOUD = "data/cloud/impact.csv"


def read_grid_data() -> GridData:
    """Read CodeCarbon's shipped grid datasets.

    Not cached: the build reads them once and passes the table down, so a test can give its own.
    """
    root = importlib.resources.files("codecarbon")
    version = importlib.metadata.version("codecarbon")
    shipped = f"shipped with CodeCarbon {version}"

    countries = {}
    mix = json.loads(root.joinpath(_ENERGY_MIX).read_text(encoding="utf-8"))
    for iso, row in mix.items():
        if isinstance(row, dict) and "carbon_intensity" in row:
            countries[iso.upper()] = GridIntensity(
                zone=f"{row.get('country_name', iso)} ({iso.upper()})",
                intensity_g_per_kwh=float(row["carbon_intensity"]),
                dataset=f"CodeCarbon global_energy_mix.json ({shipped})",
                year=row.get("year"),
            )

    states = {}
    usa = json.loads(root.joinpath(_US_STATES).read_text(encoding="utf-8"))
    source = usa.get("_source", {})
    for state, row in usa.items():
        if not state.startswith("_") and isinstance(row, dict) and "emissions" in row:
            states[state.lower()] = GridIntensity(
                zone=f"US state: {state}",
                intensity_g_per_kwh=lbs_per_mwh_to_g_per_kwh(float(row["emissions"])),
                dataset=f"{source.get('name', 'US EPA eGRID')} ({shipped})",
                year=source.get("year"),
                url=source.get("url"),
            )

    regions = {}
    text = root.joinpath(_CLOUD).read_text(encoding="utf-8-sig")
    for row in csv.DictReader(text.splitlines()):
        key = (row["provider"].lower(), row["region"].lower())
        regions[key] = GridIntensity(
            zone=f"{row['provider']} {row['region']}",
            intensity_g_per_kwh=float(row["impact"]),
            dataset=f"CodeCarbon cloud/impact.csv ({shipped})",
            year=None,
            url=row.get("source") or None,
        )
    return GridData(version, countries, states, regions)
