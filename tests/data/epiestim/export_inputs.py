"""Export the daily case series that make_fixture.R feeds to EpiEstim (writes inputs.csv).

Run from the repository root, with the real upstream files in ../shared/data:

    python tests/data/epiestim/export_inputs.py [--data ../shared/data]

Each series is taken from its first day (so a window never reaches before the data, in
epicurves or in EpiEstim) to the end date below. ``new_cases`` is exactly the column epicurves
computes R from (``compute_metrics`` passes it to ``cori_estimates``), negative corrections
included; make_fixture.R sets those to 0, as cori.py does.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

import epicurves

HERE = Path(__file__).resolve().parent

#: (source, region_id, last date): the series start on their first day of data.
SERIES = [
    ("rki", "DE", "2020-12-31"),  # Germany, RKI's official daily counts
    ("nyt", "US-CA", "2021-07-31"),  # California, New York Times
    ("jhu", "FR", "2020-12-31"),  # France, JHU CSSE (9 negative corrections in 2020)
    ("germany", "DE-09565", "2021-07-31"),  # SK Schwabach, a small district (few cases)
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = HERE.parents[3] / "shared" / "data"  # beside the checkout
    parser.add_argument("--data", type=Path, default=default)
    parser.add_argument("--out", type=Path, default=HERE / "inputs.csv")
    args = parser.parse_args()
    if not (args.data / "SOURCES.md").is_file():
        sys.exit(f"real upstream data not found at {args.data}")
    with tempfile.TemporaryDirectory() as home:
        settings = epicurves.Settings(home=Path(home), mirror=args.data)
        epicurves.update(settings)
        obs = epicurves.load_observations(
            [region for _, region, _ in SERIES], all_sources=True, settings=settings
        )
    parts = []
    for source, region, end in SERIES:
        one = obs[(obs["source"] == source) & (obs["region_id"] == region)]
        one = one[one["date"] <= end].sort_values("date")
        if one.empty:
            sys.exit(f"no data for {source} {region}")
        parts.append(one[["source", "region_id", "date", "new_cases"]])
    out = pd.concat(parts, ignore_index=True)
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    out.to_csv(args.out, index=False, lineterminator="\n")
    print(f"wrote {args.out} ({len(out)} rows)")


if __name__ == "__main__":
    main()
