"""Benchmark: chart specs and their SVG rendering, cold, warm and from the cache.

Builds deterministic synthetic charts (a home chart of 1,000 cards, training emissions of 300,
and per-card charts cycling runs / components / power timeline), then times, in a temporary
cache folder: the first render (vl-convert starts its JavaScript engine), N renders of distinct
per-card specs, the same N again from the cache, and a build with nothing changed in a fresh
process (imports + specs + cache reads, vl-convert never imported). Prints ms per chart, SVG
sizes per kind and the projected cost for 1,000 cards. Not a test: timings depend on the machine.

    .venv/bin/python bench/bench_charts.py [--charts 50] [--charts-per-card 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TASKS = ["Text generation", "Image generation", "Summarization", "Text classification"]


def card_inputs(count: int) -> list[tuple]:
    """Inputs of `count` distinct per-card charts: runs, components and power logs in turn."""
    from generator.compute.measured_runs import MeasuredInference, MeasuredRun
    from generator.formats.card import EnergyScope, Provenance
    from generator.load.nvidia_smi import GpuSamples, PowerSamples
    from generator.render import card_charts

    rng = np.random.default_rng(7)
    inputs = []
    for i in range(count):
        kwh = rng.lognormal(-3, 0.1, size=5)
        runs = tuple(
            MeasuredRun(f"m/{i}.csv", n + 2, f"run-{n}", 1000, k, k,
                        components_kwh={"gpu": 0.7 * k, "cpu": 0.2 * k, "ram": 0.1 * k})
            for n, k in enumerate(kwh.tolist())
        )  # fmt: skip
        measured = MeasuredInference(runs, EnergyScope.GPU_CPU_RAM, Provenance.ESTIMATED, ())
        if i % 3 == 2:
            time_s = 1.7e9 + np.arange(6000) * 0.1  # 10 minutes at 10 Hz
            walk = 300 + np.cumsum(rng.normal(0, 4, size=(2, 6000)), axis=1)
            gpus = {str(g): GpuSamples(time_s, walk[g]) for g in range(2)}
            log = PowerSamples(power_column="power.draw", rows_read=12000, rows_skipped=0,
                               na_readings=0, gpus=gpus, gpu_id_column="index")  # fmt: skip
            inputs.append(
                (card_charts.chart_power_timeline, f"card-{i}", f"Model {i}", log, "p.csv")
            )
        else:
            chart = card_charts.chart_runs if i % 3 == 0 else card_charts.chart_components
            inputs.append((chart, f"card-{i}", f"Model {i}", measured))
    return inputs


def build_specs(inputs: list[tuple]) -> list:
    return [chart(*args) for chart, *args in inputs]


def home_specs(cards: int = 1000, with_emissions: int = 300) -> list:
    from generator.render import charts

    rng = np.random.default_rng(3)
    points = [
        charts.EnergyPoint(f"c{i}", f"Model {i}", TASKS[i % 4], float(rng.lognormal(-4, 2)),
                           charts.PROVENANCES[i % 3])
        for i in range(cards)
    ]  # fmt: skip
    bars = [
        charts.EmissionsBar(f"c{i}", f"Model {i}", float(rng.lognormal(4, 2)), "Training emissions",
                            charts.PROVENANCES[i % 3])
        for i in range(with_emissions)
    ]  # fmt: skip
    return [charts.chart_energy_by_task(points), charts.chart_training_emissions(bars)]


def timed(action):
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def cached_build(cache: Path, count: int) -> dict:
    """What a build with nothing changed pays, measured in this (fresh) process."""
    started = time.perf_counter()
    import_s, _ = timed(lambda: __import__("generator.render.charts"))
    from generator.site.images import render_svg

    inputs = card_inputs(count)
    specs_s, specs = timed(lambda: build_specs(inputs))
    render_s, _ = timed(lambda: [render_svg(spec, cache) for spec in specs])
    return {
        "import_s": import_s,
        "specs_s": specs_s,
        "render_s": render_s,
        "total_s": time.perf_counter() - started,
        "vl_convert_imported": "vl_convert" in sys.modules,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charts", type=int, default=50, help="distinct per-card charts")
    parser.add_argument("--charts-per-card", type=float, default=2.0, help="for the projection")
    parser.add_argument("--cached-build", help=argparse.SUPPRESS)  # internal: the fresh process
    args = parser.parse_args()
    if args.cached_build:
        print(json.dumps(cached_build(Path(args.cached_build), args.charts)))
        return

    import_s, _ = timed(lambda: __import__("generator.render.charts"))
    from generator.site.images import render_svg

    inputs = card_inputs(args.charts)
    first_spec_s, _ = timed(lambda: build_specs(inputs[:3]))  # builds the three templates
    specs_s, specs = timed(lambda: build_specs(inputs))
    homes_s, homes = timed(home_specs)
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "charts"
        cold_s, _ = timed(lambda: render_svg(specs[0], cache))
        warm = [timed(lambda spec=spec: render_svg(spec, cache)) for spec in specs[1:]]
        hits = [timed(lambda spec=spec: render_svg(spec, cache)) for spec in specs]
        home_render = [timed(lambda spec=spec: render_svg(spec, cache)) for spec in homes]
        fresh = subprocess.run(
            [sys.executable, __file__, "--charts", str(args.charts), "--cached-build", str(cache)],
            capture_output=True, text=True, check=True, cwd=REPO,
        )  # fmt: skip
        fresh_build = json.loads(fresh.stdout)
    warm_ms = 1000 * statistics.mean(s for s, _ in warm)
    hit_ms = 1000 * statistics.mean(s for s, _ in hits)
    spec_ms = 1000 * specs_s / args.charts

    print(f"import generator.render.charts (altair):  {1000 * import_s:8.1f} ms")
    print(f"first per-card specs (templates):  {1000 * first_spec_s:8.1f} ms for 3")
    print(f"per-card spec, template filled:    {spec_ms:8.2f} ms a chart")
    print(f"home specs (1,000 + 300 cards):    {1000 * homes_s:8.1f} ms for 2")
    print(f"first render (cold start):         {1000 * cold_s:8.1f} ms")
    print(f"{len(warm)} renders, cache misses:        {warm_ms:8.1f} ms a chart, "
          f"{sum(s for s, _ in warm):.2f} s in all")  # fmt: skip
    print(f"{len(hits)} renders, cache hits:          {hit_ms:8.2f} ms a chart, "
          f"{sum(s for s, _ in hits) * 1000:.1f} ms in all")  # fmt: skip
    for spec, (seconds, svg) in zip(homes, home_render, strict=True):
        print(
            f"render {spec.name}: {1000 * seconds:8.1f} ms, {len(svg):,} B ({len(spec.data)} rows)"
        )
    ms = {key: 1000 * value for key, value in fresh_build.items() if key.endswith("_s")}
    print(
        f"fresh process, nothing changed:    {ms['total_s']:8.1f} ms (imports "
        f"{ms['import_s']:.0f}, specs {ms['specs_s']:.0f}, cache reads {ms['render_s']:.0f}); "
        f"vl_convert imported: {fresh_build['vl_convert_imported']}"
    )

    print("\nSVG size per kind (bytes, mean; gzip in brackets):")
    kinds: dict[str, list[str]] = {}
    for spec, (_, svg) in zip(specs, hits, strict=True):
        kinds.setdefault(spec.name.rsplit("-", 1)[1], []).append(svg)
    for spec, (_, svg) in zip(homes, home_render, strict=True):
        kinds.setdefault(spec.name, []).append(svg)
    for kind, svgs in kinds.items():
        raw = statistics.mean(len(svg.encode()) for svg in svgs)
        packed = statistics.mean(len(gzip.compress(svg.encode())) for svg in svgs)
        print(f"  {kind:26s} {raw:9,.0f} ({packed:,.0f})")

    per_card = args.charts_per_card
    n = 1000 * per_card
    home_ms = 1000 * sum(s for s, _ in home_render)
    fresh_ms = 1000 * cold_s + (n - 1) * warm_ms + home_ms + n * spec_ms
    cached_ms = 1000 * import_s + n * (spec_ms + hit_ms)
    print(f"\nProjected for 1,000 cards x {per_card:g} charts ({n:,.0f} charts + 2 home charts):")
    print(f"  rendered afresh every build: {fresh_ms / 1000:7.1f} s")
    print(f"  nothing changed (all cached): {cached_ms / 1000:6.2f} s "
          "(altair import + specs + cache reads; vl-convert not started)")  # fmt: skip
    changed_ms = cached_ms + 1000 * cold_s + per_card * warm_ms + home_ms
    print(
        f"  one card changed:             {changed_ms / 1000:6.2f} s (its charts + the home charts)"
    )


if __name__ == "__main__":
    main()
