"""The template of every region's notebook, in jupytext's percent format.

``epicurves notebook ID`` and the site build fill in {{title}}, {{region_id}}, {{source}} and
{{licence}} in the Markdown and write the cell tagged "parameters" anew for the region (text
before the first cell is left out). Run as it is, this file is Germany's notebook.
"""

# %% [markdown]
# # {{title}} (`{{region_id}}`)
#
# Daily COVID-19 cases and deaths of {{title}} from the source `{{source}}` ({{licence}}),
# with the metrics of [epicurves](https://pypi.org/project/epicurves/): the headline numbers
# and the charts of the region's page, then what each number means, then cells to change.
#
# It runs anywhere Python runs (`pip install epicurves`), on JupyterHub and on Binder. The
# first code cell reads your epicurves store (`EPICURVES_HOME`); an empty store is filled
# first, from the folder `EPICURVES_MIRROR` names or else from the upstream URLs. Change
# anything: it is yours.

# %% tags=["parameters"]
region_id = "DE"  # the region of this notebook
peers = [
    "AT",
    "CH",
    "FR",
    "NL",
    "PL",
    "DK",
    "CZ",
]  # the regions its page compares it with

# %%
import epicurves

settings = epicurves.ensure_data()  # fills an empty store first, and says so

# %% [markdown]
# ## The headline numbers
#
# As on the region's page: totals, the last 7 days, and the latest R by Cori et al. with
# its 95 % interval (none when the latest estimate is more than two weeks older than the
# data).

# %%
summary = epicurves.load_summary(regions=[region_id], settings=settings).iloc[0]
print(f"{summary['name']}, data up to {summary['last_date']:%Y-%m-%d}")
for label, value in epicurves.headline(summary).items():
    print(f"{label}: {value}")

# %% [markdown]
# ## The charts of the page
#
# The same figures as on the region's page, drawn by `epicurves.plot_region`: the 7-day
# incidence coloured by level, daily cases and deaths with their centred 7-day means (dashed
# while provisional), R and the growth factor, the doubling time, and the 7-day incidence of
# the region beside its peers, and where a series is live, the fan of its forecast (the
# ensemble's median, 50 % and 95 % intervals for the next weeks, as on the page; the
# "Forecasts" page of the site says how good such forecasts have been). Pan, zoom and hover
# as on the page; `scale="log"`, `per="count"` and `window=84` (days, or `None` for all) give
# the page's other views.

# %%
from bokeh.io import output_notebook, show
from bokeh.resources import INLINE

output_notebook(INLINE, hide_banner=True)  # BokehJS from the package: works offline

# names and populations label the lines as on the page
regions = epicurves.load_regions(settings=settings)[["region_id", "name", "population"]]
metrics = epicurves.load_metrics([region_id], settings=settings).merge(regions)
others = {}  # the peers, by name, in the page's order
if peers:
    table = epicurves.load_metrics(peers, settings=settings).merge(regions)
    names = dict(zip(regions["region_id"], regions["name"], strict=True))
    others = {names[p]: table[table["region_id"] == p] for p in peers}
try:  # surveillance signals: RKI's in Germany, CDC's (COVID-19, influenza) in the US
    signals = epicurves.load_signals([region_id], settings=settings)
except epicurves.UsageError:  # none for this region
    signals = None
try:  # the forecasts of its live weekly series (the page's fans; a few seconds)
    forecasts = epicurves.make_forecasts(regions=[region_id], settings=settings)
except epicurves.UsageError:  # a frozen region: nothing to forecast
    forecasts = None
show(epicurves.plot_region(metrics, peers=others, signals=signals, forecasts=forecasts))

# %% [markdown]
# ## What the numbers mean
#
# With $N_t$ the new cases reported on day $t$ (the difference of the cumulative counts),
# $S_t = \sum_{i=0}^{6} N_{t-i}$ the cases of the 7 days ending on day $t$, and $P$ the
# population:
#
# - **7-day incidence** (RKI's): $100\,000 \cdot S_t / P$; RKI publishes it with one decimal.
# - **7-day mean**: $S_t / 7$ (trailing, in the tables); the charts centre it on day $t-3$.
# - **Week-on-week change**: $100 \cdot (S_t / S_{t-7} - 1)$ percent.
# - **Growth rate** $r = \ln(S_t / S_{t-7}) / 7$ per day, and the **doubling time**
#   $\ln 2 / r$ while cases grow (both weeks with enough cases).
# - **R, RKI's 7-day method** (Epid Bull 17/2020): $S_{t+1} / S_{t-3}$, dated as RKI
#   publishes it; left out where the earlier week has too few cases.
# - **R by Cori et al. (2013)**: the posterior of $R$ over a 7-day window, with a gamma prior
#   (mean 5, sd 5) and a serial interval of mean 4.7 and sd 2.9 days; the mean and a 95 %
#   interval. The last 7 days are provisional: late reports still change their counts.
# - **Flags** mark days to read with care: `cases-gap` (nothing reported after a week of
#   reports, such as a weekend), `cases-backlog` (a single-day spike of late reports),
#   `cases-decrease` (a correction: the cumulative count fell), and the same for deaths.
#
# The numbers behind the charts, the latest two weeks:

# %%
metrics[["date", "new_cases", "new_cases_7d_mean", "incidence_7d", "week_change_pct",
         "r_rki", "r_cori", "flags"]].tail(14)  # fmt: skip

# %% [markdown]
# ## Change this
#
# ### Another serial interval
#
# R by Cori et al. with a shorter serial interval (mean 4 days, sd 2 days, as assumed for
# the Omicron variant), beside the default:

# %%
daily = metrics.set_index("date")["new_cases"]
compare_r = epicurves.r_cori(daily)[["mean"]].rename(columns={"mean": "R (4.7, 2.9)"})
compare_r["R (4.0, 2.0)"] = epicurves.r_cori(daily, si_mean=4.0, si_sd=2.0)["mean"]
compare_r.dropna().tail(14).round(2)

# %% [markdown]
# ### Another window
#
# The incidence over 14 days instead of 7 (per 100 000), and the charts of the last 12 weeks
# on a log scale, in counts:

# %%
population = summary["population"]
incidence_14d = (daily.rolling(14).sum() / population * 100_000).dropna().tail(7)
print(incidence_14d.round(1).to_string() if len(incidence_14d) else "(no population)")
show(epicurves.plot_region(metrics, peers=others, scale="log", per="count", window=84))

# %% [markdown]
# ### Compare with a region of your choice
#
# Any region id of `epicurves.load_regions()`: countries (`FR`), US states (`US-CA`), German
# states (`DE-BY`) and districts (`DE-09162`).

# %%
other = peers[0] if peers else region_id  # or any id: "FR", "US-CA", "DE-BY", ...
both = epicurves.load_metrics([region_id, other], settings=settings)
both.pivot_table(
    index="date", columns="region_id", values="incidence_7d"
).dropna().tail(7)
