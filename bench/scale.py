"""Benchmark: `energy-cards build` on registries of 100, 1,000 and 10,000 cards.

Generates a realistic project for each size in a temporary folder: cards cloned from the
shipped ones (ids, names, figures and some tasks varied, deterministically), a CodeCarbon CSV
with several runs for a tenth of them and an nvidia-smi power log for a hundredth. Then, for
each size, prints one line a figure:

- cold build (no image cache, no site) and cached build (second run): wall time, peak memory
  (the most that the build and all its processes held at once, sampled by a small wrapper
  process around each run, and the largest single process);
- the floor: a plain `mkdocs build` of exactly the Markdown the build staged, same config;
  and the ratios cached / floor and cold / floor;
- rebuild after editing one card's figure;
- `site/` size and file count;
- the heaviest card page and the heaviest task page with everything they load, gzip (level
  6), plus what a first search query fetches.

Each repeat runs cold, floor, cached, floor, edit in turn (alternating builds with the floor,
so drift on a shared machine hits both); medians are reported. Not a test: timings depend on
the machine.

    .venv/bin/python bench/scale.py --sizes 100,1000 --repeats 3 [--keep DIR]
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from page_weight import page_resources  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TASKS = [
    "text-generation",
    "summarization",
    "extractive-qa",
    "text-classification",
    "sentence-similarity",
    "token-classification",
    "fill-mask",
    "image-classification",
    "object-detection",
    "image-generation",
    "image-captioning",
    "speech-to-text",
]
# Runs the command given, then prints its wall time and peak memory as JSON on stderr's last
# line: the largest sum of the resident memory (VmRSS) of the child and all its descendants,
# sampled every 0.1 s from /proc (a build runs stages and the search indexer in processes of
# their own, and what they hold at once is what the machine needs), and the largest single
# process (RUSAGE_CHILDREN of this fresh process).
_WRAPPER = """
import json, os, resource, subprocess, sys, time

def tree_kib(root):
    children = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                with open(f'/proc/{name}/stat') as stat:
                    parent = int(stat.read().rsplit(')', 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f'/proc/{pid}/status') as status:
                total += sum(int(l.split()[1]) for l in status if l.startswith('VmRSS'))
        except OSError:
            pass
        todo += children.get(pid, [])
    return total

start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0
while child.poll() is None:
    peak = max(peak, tree_kib(child.pid))
    time.sleep(0.1)
wall = time.perf_counter() - start
single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": child.returncode, "wall_s": wall, "tree_kib": peak, "rss_kib": single}),
      file=sys.stderr)
"""

# --- the generated project -------------------------------------------------------------


def _vary_figures(node: object, factor: float) -> None:
    """Scale every figure value (a mapping with a numeric `value`) by `factor`, in place."""
    if isinstance(node, dict):
        value = node.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            node["value"] = float(f"{value * factor:.4g}")
        for key, child in node.items():
            if key != "carbon_intensity_g_per_kwh":
                _vary_figures(child, factor)
    elif isinstance(node, list):
        for child in node:
            _vary_figures(child, factor)


def _codecarbon_csv(template: str, card_id: str, runs: int, rng: random.Random) -> str:
    header, first, *_ = template.splitlines()
    columns = header.split(",")
    cells = first.split(",")
    scaled = ["duration", "emissions", "cpu_energy", "gpu_energy", "ram_energy", "energy_consumed"]
    rows = []
    for run in range(runs):
        row = list(cells)
        row[columns.index("project_name")] = card_id
        row[columns.index("run_id")] = f"00000000-0000-4000-8000-{run:012d}"
        factor = rng.uniform(0.5, 2.0)
        for name in scaled:
            row[columns.index(name)] = repr(float(cells[columns.index(name)]) * factor)
        row[columns.index("timestamp")] = f"2026-11-22T05:{run:02d}:00"
        rows.append(",".join(row))
    return "\n".join([header, *rows]) + "\n"


def _nvidia_smi_log(rng: random.Random, gpus: int = 2, samples: int = 600) -> str:
    lines = ["timestamp, index, power.draw [W]"]
    base = [rng.uniform(150, 400) for _ in range(gpus)]
    for step in range(samples):
        minute, second = divmod(step, 60)
        for gpu in range(gpus):
            watts = base[gpu] + rng.uniform(-20, 20)
            lines.append(f"2024/10/30 18:{minute:02d}:{second:02d}.000, {gpu}, {watts:.2f} W")
    return "\n".join(lines) + "\n"


def make_project(root: Path, size: int, seed: int = 12) -> Path:
    """A project of `size` cards cloned from the shipped ones; returns its folder."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site_src", root / "site_src")
    shutil.copytree(REPO / "ratings", root / "ratings")
    (root / "cards").mkdir()
    bases = [
        yaml.safe_load(path.read_text("utf-8")) for path in sorted((REPO / "cards").glob("*.yaml"))
    ]
    emissions_csv = (REPO / "measurements/all-minilm-l6-v2/emissions.csv").read_text("utf-8")
    for number in range(size):
        card = copy.deepcopy(bases[number % len(bases)])
        card_id = f"{card['id']}-s{number:05d}"
        card["id"] = card_id
        card["name"] = f"{card['name']} #{number}"
        if number % 3 == 1:
            card["task"] = rng.choice(TASKS)
        if isinstance(card.get("parameter_count"), int):
            card["parameter_count"] = int(card["parameter_count"] * rng.uniform(0.3, 3.0))
        _vary_figures(card, rng.uniform(0.2, 5.0))
        measured_here = number % 10 == 0 or number % 100 == 5
        if "inference" not in card and not measured_here:
            (root / "cards" / f"{card_id}.yaml").write_text(_dump(card), "utf-8")
            continue
        inference = card.setdefault("inference", {})
        inference.pop("measurements", None)
        folder = root / "measurements" / card_id
        if measured_here:
            folder.mkdir(parents=True)
            inference["measurements"] = []
            # its conditions change below: the published configurations no longer match them
            inference.pop("configurations", None)
            scope = "cpu+ram" if number % 10 == 0 else "gpu"
            inference.setdefault("conditions", {"hardware": "benchmark machine"})
            inference["conditions"]["scope"] = scope
            inference["conditions"].setdefault("includes_pue", False)
        if number % 10 == 0:
            runs = rng.randint(3, 6)
            (folder / "emissions.csv").write_text(
                _codecarbon_csv(emissions_csv, card_id, runs, rng), "utf-8"
            )
            inference["measurements"].append(
                {"path": f"measurements/{card_id}/emissions.csv", "queries": 1000}
            )
        if number % 100 == 5:
            (folder / "power.csv").write_text(_nvidia_smi_log(rng), "utf-8")
            inference["measurements"].append(
                {"path": f"measurements/{card_id}/power.csv", "queries": 1000}
            )
        if not inference.get("measurements") and not (
            inference.get("energy_kwh_per_1000_queries")
            or inference.get("emissions_g_co2e_per_1000_queries")
        ):
            inference["energy_kwh_per_1000_queries"] = {
                "value": float(f"{rng.uniform(0.001, 3):.4g}"),
                "provenance": "estimated",
                "source": next(iter(card["sources"])),
                "where": "benchmark clone",
            }
        (root / "cards" / f"{card_id}.yaml").write_text(_dump(card), "utf-8")
    return root


def _dump(card: dict) -> str:
    return yaml.safe_dump(card, sort_keys=False, allow_unicode=True, width=100)


# --- measuring -----------------------------------------------------------------------------


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, peak MiB of the process tree, of its largest process) of one run of
    `command`; raises if it fails."""
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command], env=env, capture_output=True, text=True
    )
    result = json.loads(done.stderr.strip().splitlines()[-1])
    if result["code"] != 0:
        rerun = subprocess.run(command, env=env, capture_output=True, text=True)
        raise RuntimeError(f"{command} failed:\n{rerun.stdout[-3000:]}\n{rerun.stderr[-3000:]}")
    return result["wall_s"], result["tree_kib"] / 1024, result["rss_kib"] / 1024


def floor_config(project: Path) -> Path:
    """A copy of mkdocs.yml that builds the staged docs folder into a scratch site."""
    text = (project / "mkdocs.yml").read_text("utf-8")
    text = text.replace("docs_dir: site_src", "docs_dir: .energy-cards/docs")
    text = text.replace("site_dir: site", "site_dir: .floor-site")
    path = project / "floor-mkdocs.yml"
    path.write_text(text, "utf-8")
    return path


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def loaded_weight(site: Path, page: Path) -> tuple[int, int, int]:
    """(HTML gzip, everything the page loads gzip, number of files) for one page.

    Counts the page, its stylesheets, scripts and images, and MkDocs' search index when the
    site has one (every page's search worker fetches it on load).
    """
    files = [page, *page_resources(site, page)]
    index = site / "search" / "search_index.json"
    if index.is_file():
        files.append(index)
    return gz(page), sum(gz(p) for p in files), len(files)


def search_weight(site: Path) -> tuple[int, str]:
    """gzip bytes a first search query fetches, and what it is."""
    index = site / "search" / "search_index.json"
    if index.is_file():
        return gz(index), "MkDocs search_index.json (fetched on every page load)"
    pagefind = site / "pagefind"
    if not pagefind.is_dir():
        return 0, "no search"
    bundles = [pagefind, *sorted(pagefind.glob("part-*"))]
    total = gz(pagefind / "pagefind-ui.js") if (pagefind / "pagefind-ui.js").is_file() else 0
    for bundle in bundles:  # a large site's merged bundles: each is searched
        fixed = [bundle / n for n in ("pagefind.js", "pagefind-entry.json")]
        fixed += sorted(bundle.glob("wasm.*.pagefind"))[:1]
        largest = max(bundle.glob("index/*.pf_index"), key=lambda p: p.stat().st_size)
        filters = list(bundle.glob("filter/*.pf_filter"))
        meta = list(bundle.glob("pagefind.*.pf_meta"))
        fetched = [p for p in fixed if p.is_file()] + [largest, *filters, *meta]
        # Files in pagefind/ are already gzip-compressed: count them as they are.
        total += sum(p.stat().st_size if p.suffix.startswith(".pf") else gz(p) for p in fetched)
    fragments = sorted(pagefind.rglob("fragment/*.pf_fragment"), key=lambda p: -p.stat().st_size)
    total += sum(p.stat().st_size for p in fragments[:5])
    return total, (
        f"Pagefind, {len(bundles)} bundle(s): runtime + wasm + largest index chunk + filters "
        "each, + 5 results"
    )


def heaviest(pages: list[Path]) -> Path:
    return max(pages, key=lambda p: (p.stat().st_size, p.as_posix()))


def bench_size(size: int, repeats: int, folder: Path) -> None:
    project = make_project(folder / f"p{size}", size)
    # The generator next to this script (PYTHONPATH), so a copy of another version benches too.
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=path)
    build = [sys.executable, "-m", "generator", "build", "--project", str(project)]
    floor = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(floor_config(project))]
    figures: dict[str, list[tuple[float, float, float]]] = {}
    first = project / "cards" / sorted(os.listdir(project / "cards"))[0]
    for repeat in range(repeats):
        shutil.rmtree(project / ".energy-cards", ignore_errors=True)
        shutil.rmtree(project / "site", ignore_errors=True)
        figures.setdefault("cold", []).append(measured(build, env))
        figures.setdefault("floor", []).append(measured(floor, env))
        figures.setdefault("cached", []).append(measured(build, env))
        figures.setdefault("floor", []).append(measured(floor, env))
        text = first.read_text("utf-8")
        first.write_text(text.replace("name: ", f"name: Edited{repeat} ", 1), "utf-8")
        figures.setdefault("edit", []).append(measured(build, env))
    median = {
        name: tuple(statistics.median(run[i] for run in runs) for i in range(3))
        for name, runs in figures.items()
    }
    runs = f"median of {repeats}" if repeats > 1 else "1 run"
    print(f"== {size} cards ({runs}) ==")
    for name, title in [
        ("cold", "energy-cards build, cold (no image or conversion cache)"),
        ("cached", "energy-cards build, images and Markdown conversions cached"),
        ("floor", "plain mkdocs build of the staged docs (floor)"),
        ("edit", "rebuild after editing one card"),
    ]:
        wall, tree, single = median[name]
        print(
            f"{size} cards: {title}: {wall:.1f} s, peak {tree:.0f} MB "
            f"(all its processes at once; largest one {single:.0f} MB)"
        )
    for name in ("cached", "cold"):
        print(f"{size} cards: ratio {name} / floor: {median[name][0] / median['floor'][0]:.2f}x")
    site = project / "site"
    total, count = folder_size(site)
    print(f"{size} cards: site/ {total / 2**20:.1f} MB in {count} files")
    pngs = list(site.glob("labels/*.png"))
    if pngs:
        mean = sum(p.stat().st_size for p in pngs) / len(pngs)
        print(f"{size} cards: label PNGs: {len(pngs)}, mean {mean / 1024:.1f} KB")
    for kind, pages in [
        ("card", [p for p in site.glob("cards/*/index.html")]),
        ("task", list(site.glob("tasks/*/index.html"))),
    ]:
        page = heaviest(pages)
        html_gz, total_gz, files = loaded_weight(site, page)
        print(
            f"{size} cards: heaviest {kind} page {page.parent.relative_to(site)}/: "
            f"{page.stat().st_size / 1024:.0f} KB raw, {html_gz / 1024:.1f} KB gzip; "
            f"with everything it loads ({files} files): {total_gz / 1024:.1f} KB gzip"
        )
    searched, what = search_weight(site)
    print(f"{size} cards: first search query fetches {searched / 1024:.1f} KB gzip ({what})")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="card counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each build (median)")
    parser.add_argument("--keep", type=Path, help="generate projects here and keep them")
    args = parser.parse_args()
    sizes = [int(text) for text in args.sizes.split(",")]
    print(f"bench/scale.py --sizes {args.sizes} --repeats {args.repeats} ({os.cpu_count()} CPUs)")
    if args.keep:
        for size in sizes:
            shutil.rmtree(args.keep / f"p{size}", ignore_errors=True)
            bench_size(size, args.repeats, args.keep)
        return
    with tempfile.TemporaryDirectory(prefix="energy-cards-scale-") as folder:
        for size in sizes:
            bench_size(size, args.repeats, Path(folder))


if __name__ == "__main__":
    main()
