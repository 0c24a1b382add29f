"""Recipe: your own daily counts from a CSV file, with every metric and chart of epicurves."""

# %% [markdown]
# # Bring your own data
#
# Read daily counts of your own regions (a city's reports, a hospital's admissions, a
# simulation) from a CSV file, and get every metric epicurves computes for the published
# data (incidence, R by RKI and by Cori et al., doubling time, anomaly flags) and the charts
# of a region's page. Here the file is an example written first: a synthetic outbreak in two
# made-up towns, simulated with a known R, so that we can see whether the estimates find it.
#
# **The file.** One row per region and day, days consecutive, dates as `YYYY-MM-DD`:
#
# | column | |
# |---|---|
# | `region_id` | your id, letters, digits and `-` |
# | `date` | the day |
# | `cases` and/or `new_cases` | cumulative and/or daily cases (a daily count may be negative: a correction) |
# | `deaths` and/or `new_deaths` | optional, the same for deaths |
# | `source` | optional, a name for where the numbers come from |
#
# `epicurves.read_observations` reads it into epicurves' tidy table
# (`epicurves.OBSERVATION_COLUMNS`), deriving what is missing (daily from cumulative counts
# or the reverse) and flagging corrections; a bad cell is a one-line error naming the file,
# line, column, what was expected and what was found.

# %%
import epicurves

settings = epicurves.ensure_data()  # the store in EPICURVES_HOME; filled on first use (EPICURVES_MIRROR or the upstream URLs), and says so

# %%
from pathlib import Path

import bokeh.resources
import numpy as np
import pandas as pd
from bokeh.io import output_notebook, show

output_notebook(resources=bokeh.resources.INLINE, hide_banner=True)

# %% [markdown]
# ## An example file (synthetic: not real data)
#
# Two towns, 180 days from 1 January 2024. Cases follow the renewal model that Cori et al.'s
# method assumes: the cases of day $t$ are Poisson with mean $R_t \sum_s I_{t-s} w_s$, with
# the serial interval $w$ epicurves uses by default (mean 4.7 days, sd 2.9 days) and a true
# R of 1.5 for 60 days, then 0.8 (say, after measures were taken) for 60 days, then 1.1.
# About 0.5 % of cases die, 14 days later. Replace this cell with your own file.


# %%
def simulate(seed: int, imported: int, days: int = 180) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    w = epicurves.discrete_serial_interval(4.7, 2.9)
    true_r = np.select([np.arange(days) < 60, np.arange(days) < 120], [1.5, 0.8], 1.1)
    cases = np.zeros(days, dtype=int)
    cases[0] = imported
    for t in range(1, days):
        before = cases[max(0, t - len(w) + 1) : t][::-1]  # days t-1, t-2, ...
        cases[t] = rng.poisson(true_r[t] * (before * w[1 : len(before) + 1]).sum())
    deaths = rng.binomial(np.r_[np.zeros(14, dtype=int), cases[:-14]], 0.005)
    dates = pd.date_range("2024-01-01", periods=days)
    return pd.DataFrame(
        {"date": dates, "new_cases": cases, "new_deaths": deaths, "true_r": true_r}
    )


example = pd.concat(
    [
        simulate(seed=1, imported=30).assign(region_id="XX-TOWN-A"),
        simulate(seed=2, imported=10).assign(region_id="XX-TOWN-B"),
    ]
)
example_file = Path("example_outbreak.csv")
example[["region_id", "date", "new_cases", "new_deaths"]].to_csv(
    example_file, index=False, date_format="%Y-%m-%d"
)
print(example_file.read_text().splitlines()[:4])

# %% [markdown]
# ## Read it

# %%
observations = epicurves.read_observations(example_file, source="example")
assert list(observations.columns) == list(epicurves.OBSERVATION_COLUMNS)
observations.tail()

# %% [markdown]
# Per-capita numbers need the population, from a table with the columns of
# `epicurves.REGION_COLUMNS` (here written by hand; a CSV read with pandas does as well):

# %%
regions = pd.DataFrame(
    {
        "region_id": ["XX-TOWN-A", "XX-TOWN-B"],
        "name": ["Town A (example)", "Town B (example)"],
        "kind": ["district", "district"],
        "parent": [None, None],
        "population": [250_000, 80_000],
        "source": ["example", "example"],
    }
).astype(epicurves.REGION_COLUMNS)
regions

# %% [markdown]
# ## Every metric

# %%
metrics = epicurves.compute_metrics(observations, regions)
metrics[
    [
        "region_id",
        "date",
        "new_cases",
        "incidence_7d",
        "r_rki",
        "r_cori",
        "r_cori_lo",
        "r_cori_hi",
        "doubling_time_days",
    ]
].iloc[55:62]

# %% [markdown]
# Did Cori et al.'s method find the R the towns were simulated with? The median of the
# estimates well inside each phase (from 15 days after it starts, so that the week's window
# and the serial interval see only that phase):

# %%
truth = example.set_index(["region_id", "date"])["true_r"]
estimated = metrics.set_index(["region_id", "date"])[["r_cori", "r_rki"]].assign(
    true_r=truth
)
phase = estimated.groupby("region_id").cumcount() // 60
inside = estimated[
    (estimated.groupby(["region_id", phase]).cumcount() >= 15).to_numpy()
]
found = inside.groupby(["region_id", "true_r"])[["r_cori", "r_rki"]].median().round(2)
print(found.to_string())
assert ((found["r_cori"] - found.index.get_level_values("true_r")).abs() < 0.1).all()

# %% [markdown]
# (RKI's ratio assumes a fixed generation time of 4 days, shorter than this serial interval,
# so it draws R closer to 1: see the recipe `cori-vs-epiestim`.)
#
# ## Every chart
#
# `epicurves.plot_region` draws the charts of a region's page from one region's metrics
# (`name` and `population` columns label and scale it), with other regions as peers:

# %%
with_names = metrics.merge(
    regions[["region_id", "source", "name", "population"]], on=["region_id", "source"]
)
town_a = with_names[with_names["region_id"] == "XX-TOWN-A"]
town_b = with_names[with_names["region_id"] == "XX-TOWN-B"]
show(epicurves.plot_region(town_a, peers=town_b, window=None))

# %% [markdown]
# ## A bad file
#
# A typo in a count, a missing day, a date written another way: the error says where, in
# one line, as for the published files.

# %%
bad_file = Path("example_outbreak_bad.csv")
lines = example_file.read_text().splitlines()
fields = lines[5].split(",")
fields[2] += "x"  # a stray letter in the count of line 6
lines[5] = ",".join(fields)
bad_file.write_text("\n".join(lines) + "\n")
print(lines[5])
try:
    epicurves.read_observations(bad_file)
    problem = None
except epicurves.ParseError as error:
    print(f"ParseError: {error}")
    problem = error
assert problem is not None and problem.row == 6 and problem.column == "new_cases"
