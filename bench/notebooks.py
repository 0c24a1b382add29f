"""Benchmark: writing every region's notebook, and executing one (what OSCOVIDA paid per
region on every update).

Run on demand (not part of the test suite)::

    pip install '.[bench]'
    python bench/notebooks.py [--mirror ../shared/data] [--runs 5] [--execute 3]

1. Fills a temporary store from the mirror (once).
2. Generation, ``--runs`` times: every region's notebook as ``epicurves notebook --all`` makes
   it (the store's regions, the page's peers, the template filled), and the template alone
   (:func:`epicurves.notebooks.region_notebook`); the median milliseconds per region.
3. The command, ``--runs`` times: ``epicurves notebook --all --out DIR`` as a whole process
   (Python's start and the imports included); the median seconds.
4. Execution, ``--execute`` times for each of a country, a US state and a German district:
   the notebook run top to bottom by nbclient in a fresh kernel (start-up included), as a
   reader's "Run all" does; the median seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import epicurves
from epicurves.notebooks import region_notebook
from epicurves.site.notebooks import region_notebooks

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ("DE", "US-CA", "DE-09162")


def generate(
    settings: epicurves.Settings, runs: int
) -> tuple[int, list[float], list[float]]:
    """Regions, then seconds per run: everything, and the template alone."""
    whole, template = [], []
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        made = list(region_notebooks(settings))
        whole.append(time.perf_counter() - start)
        count = len(made)
        start = time.perf_counter()
        for region_id, _text in made:
            region_notebook(region_id, region_id, "source", "licence", ["DE", "FR"])
        template.append(time.perf_counter() - start)
    return count, whole, template


def command(settings: epicurves.Settings, runs: int, work: Path) -> list[float]:
    """Seconds of ``epicurves notebook --all --out DIR``, a whole process each time."""
    tool = Path(sys.executable).parent / "epicurves"
    seconds = []
    for run in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [str(tool), "--home", str(settings.home), "notebook", "--all",
             "--out", str(work / f"notebooks-{run}")],
            check=True, capture_output=True,
        )  # fmt: skip
        seconds.append(time.perf_counter() - start)
    return seconds


def execute(
    settings: epicurves.Settings, region_id: str, runs: int, work: Path
) -> list[float]:
    """Seconds to run one region's notebook in a fresh kernel, ``runs`` times."""
    import nbclient
    import nbformat

    text = dict(region_notebooks(settings, [region_id]))[region_id]
    os.environ["EPICURVES_HOME"] = str(settings.home)
    seconds = []
    for _ in range(runs):
        notebook = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
        client = nbclient.NotebookClient(
            notebook, timeout=600, kernel_name="python3",
            resources={"metadata": {"path": str(work)}},
        )  # fmt: skip
        start = time.perf_counter()
        client.execute()
        seconds.append(time.perf_counter() - start)
        errors = [
            o for c in notebook.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "error"
        ]  # fmt: skip
        if errors:
            sys.exit(f"{region_id}: the notebook failed: {errors[0].evalue}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--execute", type=int, default=3)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        settings = epicurves.Settings(home=work / "home", mirror=args.mirror)
        epicurves.update(settings)
        count, whole, template = generate(settings, args.runs)
        per = statistics.median(whole) / count * 1000
        print(f"regions                         {count:9,}")
        print(f"all notebooks, median           {statistics.median(whole):9.3f} s")
        print(f"per region (target <= 5 ms)     {per:9.3f} ms")
        print(
            f"per region, template alone      {statistics.median(template) / count * 1000:9.3f} ms"
        )
        whole_process = command(settings, args.runs, work)
        print(
            f"epicurves notebook --all, median {statistics.median(whole_process):7.3f} s"
            f"    min {min(whole_process):.3f}  max {max(whole_process):.3f}"
        )
        if args.execute:
            for region_id in REGIONS:
                seconds = execute(settings, region_id, args.execute, work)
                print(
                    f"execute {region_id:<10} median {statistics.median(seconds):7.2f} s"
                    f"    min {min(seconds):.2f}  max {max(seconds):.2f}"
                )


if __name__ == "__main__":
    main()
