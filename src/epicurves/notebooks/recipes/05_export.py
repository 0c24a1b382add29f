"""Recipe: export regions' daily numbers and metrics to CSV, Parquet and Excel, and read them back."""

# %% [markdown]
# # Export to CSV, Parquet and Excel
#
# Write the daily counts and every metric of a few regions to files for a spreadsheet, R,
# or another program, and read them back to show nothing was lost: CSV (readable anywhere),
# Parquet (typed, compact, exact) and Excel (when `openpyxl` is installed).
#
# The command line does the same for any set of regions: `epicurves export --region DE
# --region FR --out epicurves.csv` (or `.parquet`, `.json`).

# %%
import epicurves

settings = epicurves.ensure_data()  # the store in EPICURVES_HOME; filled on first use (EPICURVES_MIRROR or the upstream URLs), and says so

# %%
import importlib.util
from pathlib import Path

import pandas as pd

# %% [markdown]
# ## What to export, and where
#
# Change the folder to any path; a relative one is next to this notebook.

# %%
folder = Path("exports")
ids = ["DE", "FR", "US-CA", "DE-09162"]
start, end = "2021-01-01", "2021-12-31"

folder.mkdir(parents=True, exist_ok=True)
print(f"writing to {folder.resolve()}")

# %% [markdown]
# One row per region and day: the region's name, kind and population, the cumulative and
# daily counts, the `flags` and every metric. Metrics are computed on each region's whole
# series and then cut to the dates, so the first week's 7-day windows are complete.

# %%
regions = epicurves.load_regions(settings=settings)
metrics = epicurves.load_metrics(ids, start=start, end=end, settings=settings)
table = regions[["region_id", "name", "kind", "parent", "population", "source"]].merge(
    metrics, on=["region_id", "source"]
)
print(
    f"{len(table):,} rows, {table['region_id'].nunique()} regions, {table.shape[1]} columns"
)
table.head(3).T.head(14)

# %% [markdown]
# ## CSV
#
# Dates as `YYYY-MM-DD`, a missing value as an empty cell. CSV has no types: reading it back
# needs them again (here: from the table written), and an empty cell is missing, so the
# `flags` of a day without flags come back missing and are set to `""` again. Written with
# full precision, the numbers come back exactly.

# %%
csv_file = folder / "epicurves.csv"
table.to_csv(csv_file, index=False, date_format="%Y-%m-%d")

back = pd.read_csv(csv_file, parse_dates=["date"])
back = back.astype(table.dtypes.to_dict()).assign(
    flags=lambda frame: frame["flags"].fillna("")
)
pd.testing.assert_frame_equal(back, table)
print(f"{csv_file.name}: {csv_file.stat().st_size / 1e6:.2f} MB, read back identical")

# %% [markdown]
# ## Parquet
#
# Parquet keeps the types (whole numbers with missing values, dates, text), so the table
# comes back as it was written; only the dates come back in milliseconds
# (`datetime64[ms]`), Parquet's coarsest unit of time, instead of seconds: the same days.
# It is the format of epicurves' own store; pandas, R (`arrow`), Julia, DuckDB and Spark
# read it.

# %%
parquet_file = folder / "epicurves.parquet"
table.to_parquet(parquet_file, index=False)

back = pd.read_parquet(parquet_file)
pd.testing.assert_frame_equal(back.astype({"date": table["date"].dtype}), table)
print(
    f"{parquet_file.name}: {parquet_file.stat().st_size / 1e6:.2f} MB, read back identical"
)

# %% [markdown]
# ## Back into epicurves
#
# `epicurves.read_observations` reads such a CSV file (an `epicurves export` too) into
# epicurves' observations table, for `compute_metrics` and `plot_region` (see the recipe
# `bring-your-own-data`); the counts come back as written:

# %%
observations = epicurves.read_observations(csv_file)
counts = ["source", "region_id", "date", "cases", "deaths", "new_cases", "new_deaths"]
in_order = table.sort_values(["source", "region_id", "date"], ignore_index=True)
pd.testing.assert_frame_equal(observations[counts], in_order[counts])
print(f"read_observations: {len(observations):,} rows, the counts as written")

# %% [markdown]
# ## Excel
#
# pandas writes `.xlsx` files with `openpyxl`, which epicurves does not install; `pip install
# openpyxl` adds it. One sheet per region; Excel has no missing whole numbers, so counts
# come back as decimals where a day lacks one.

# %%
if importlib.util.find_spec("openpyxl") is None:
    print("Excel: skipped, openpyxl is not installed (pip install openpyxl)")
else:
    excel_file = folder / "epicurves.xlsx"
    with pd.ExcelWriter(excel_file) as writer:
        for region, rows in table.groupby("region_id"):
            rows.to_excel(writer, sheet_name=region, index=False)
    sheets = pd.read_excel(excel_file, sheet_name=None)
    back = pd.concat(sheets.values(), ignore_index=True)
    expected = table.sort_values("region_id", kind="stable", ignore_index=True)
    assert list(back.columns) == list(table.columns)
    assert back["date"].equals(expected["date"].astype(back["date"].dtype))
    numbers = expected.select_dtypes("number").columns
    pd.testing.assert_frame_equal(
        back[numbers].astype(float), expected[numbers].astype(float), rtol=1e-12
    )
    print(
        f"{excel_file.name}: {excel_file.stat().st_size / 1e6:.2f} MB, {len(sheets)} sheets, read back equal"
    )

# %% [markdown]
# ## What was written

# %%
pd.DataFrame(
    [(path.name, path.stat().st_size) for path in sorted(folder.iterdir())],
    columns=["file", "bytes"],
)
