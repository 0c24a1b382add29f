"""Recipe: RKI's 7-day incidence and 7-day R for Germany, reproduced and checked against RKI's own."""

# %% [markdown]
# # RKI's incidence and R, reproduced
#
# Recompute the two numbers the Robert Koch-Institut published for Germany every day, the
# 7-day incidence and the 7-day R value, from the daily series they are made of, and check
# them against the values RKI published: the incidence on every day since 2020, the R value
# on every day of RKI's nowcast (March 2020 to June 2023).
#
# **7-day incidence** (RKI's Readme of the dataset "COVID-19_7-Tage-Inzidenz_in_Deutschland"):
# the cases with a reporting date (*Meldedatum*) in the 7 days ending on day $t$, per 100 000
# inhabitants,
#
# $$\mathrm{Inz7}_t = \frac{N_t + N_{t-1} + \dots + N_{t-6}}{P} \times 100\,000,$$
#
# published rounded to one decimal. Each day's file replaces the whole series, with late
# reports added to their reporting date: this is the *recomputed* incidence, not the value
# first published that day.
#
# **7-day R** (Epidemiologisches Bulletin 17/2020): from RKI's *nowcast* $E_t$ of the new
# cases by day of symptom onset (missing onset dates imputed, cases not yet reported
# estimated), the sum of 7 days over the sum of the 7 days 4 days earlier (4 days being the
# generation time RKI assumes),
#
# $$R_t = \frac{E_{t+1} + E_t + \dots + E_{t-5}}{E_{t-3} + E_{t-4} + \dots + E_{t-9}},$$
#
# written, as RKI's own script does, one day before the end of the later window.
# `epicurves.r_rki` computes exactly this (and gives nothing where the earlier week has fewer
# than 10 cases).

# %%
import epicurves

settings = epicurves.ensure_data()  # the store in EPICURVES_HOME; filled on first use (EPICURVES_MIRROR or the upstream URLs), and says so

# %%
import bokeh.resources
import pandas as pd
from bokeh.io import output_notebook, show
from bokeh.layouts import column
from bokeh.models import Span
from bokeh.plotting import figure

output_notebook(resources=bokeh.resources.INLINE, hide_banner=True)

# %% [markdown]
# ## The incidence from the daily counts
#
# `load_metrics` gives Germany's daily cases by reporting date from RKI (`source` `rki`) with
# the incidence epicurves computes. Here the incidence is computed once more, with pandas,
# from the formula:

# %%
germany = epicurves.load_metrics(["DE"], settings=settings).set_index("date")
population = (
    epicurves.load_regions(settings=settings)
    .set_index("region_id")
    .loc["DE", "population"]
)
weekly = germany["new_cases"].astype(float).rolling(7).sum()
ours = weekly / population * 100_000
assert (ours - germany["incidence_7d"]).abs().max() < 1e-9
print(
    f"Germany: population {population:,}, {germany.index[0]:%Y-%m-%d} to {germany.index[-1]:%Y-%m-%d}"
)
germany[["new_cases", "new_cases_7d_sum", "incidence_7d"]].tail()

# %% [markdown]
# ## RKI's published incidence
#
# The store keeps the daily counts, not RKI's incidence column, so it is read from RKI's
# file itself: `epicurves.upstream_copy` gives the local copy the store was made from (the
# mirror's file, or the last good download in the store's `downloads` folder), checked
# against the SHA-256 recorded on the last update. The file holds every age group; `00+` is
# all ages.

# %%
local = epicurves.upstream_copy(
    "rki", "COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv", settings=settings
)
print(f"RKI's file: {local}")

published = pd.read_csv(local, parse_dates=["Meldedatum"])
published.head()

# %%
all_ages = published[published["Altersgruppe"] == "00+"].set_index("Meldedatum")
compared = pd.DataFrame(
    {
        "published": all_ages["Inzidenz_7-Tage"],
        "epicurves": germany["incidence_7d"].round(1),
    }
).dropna()
same = compared["published"] == compared["epicurves"]
print(
    f"7-day incidence, Germany, all ages: {same.sum():,} of {len(compared):,} days equal to RKI's ({same.mean():.2%})"
)
print(
    f"RKI's first six days, where no 7-day window is complete: {all_ages['Inzidenz_7-Tage'].iloc[:6].tolist()} (epicurves: none)"
)
assert same.all() and len(compared) == len(all_ages) - 6

# %% [markdown]
# The same for every age group of the file, each with its own population (`Bevoelkerung`),
# with `epicurves.incidence_7d` on the group's daily cases (the differences of
# `Faelle_gesamt`):

# %%
rows = []
for group, part in published.groupby("Altersgruppe"):
    part = part.set_index("Meldedatum").sort_index()
    daily = part["Faelle_gesamt"].diff().fillna(part["Faelle_gesamt"].iloc[0])
    incidence = epicurves.incidence_7d(daily, part["Bevoelkerung"].iloc[-1]).round(1)
    full = incidence.notna()
    rows.append(
        (
            group,
            int(full.sum()),
            int((incidence[full] == part.loc[full, "Inzidenz_7-Tage"]).sum()),
        )
    )
by_age = pd.DataFrame(rows, columns=["age group", "days", "equal"])
print(
    f"every age group: {by_age['equal'].sum():,} of {by_age['days'].sum():,} day x age-group values equal to RKI's"
)
assert (by_age["days"] == by_age["equal"]).all()
by_age

# %% [markdown]
# ## R from RKI's nowcast
#
# RKI's nowcast and its R value are surveillance signals of the source `rki-nowcast`:
# `nowcast` (persons per day by onset; the point estimate is the rows whose `estimate` is
# `nowcast`, with its 95 % prediction interval in `lo`/`hi`) and `r-7day` (RKI's published R).

# %%
print(
    {
        signal.name: signal.title
        for signal in epicurves.get_source("rki-nowcast").signals
    }
)
signals = epicurves.load_signals(["DE"], ["nowcast", "r-7day"], settings=settings)
nowcast = signals[
    (signals["signal"] == "nowcast") & (signals["estimate"] == "nowcast")
].set_index("date")["value"]
published_r = signals[signals["signal"] == "r-7day"].set_index("date")["value"]
r = epicurves.r_rki(nowcast)
table = pd.DataFrame(
    {"nowcast": nowcast, "RKI's R": published_r, "epicurves r_rki": r.round(2)}
)
table.dropna().iloc[::120]

# %%
days = published_r.index
close = (r.reindex(days).round(2) - published_r).abs() <= 0.01 + 1e-9
exact = (r.reindex(days).round(2) - published_r).abs() < 1e-9
share = close.mean()
print(
    f"7-day R: {close.sum():,} of {len(days):,} published days within 0.01 of RKI's ({share:.2%}); {exact.sum():,} equal to two decimals"
)
print(f"not matched: {', '.join(f'{day:%Y-%m-%d}' for day in days[~close])}")
assert share >= 0.99

# %% [markdown]
# The days not matched are RKI's first five (March 2020): RKI computed them from windows that
# reach before the first day of its nowcast, where epicurves gives no value.
#
# ## On a chart

# %%
incidence_fig = figure(
    title="Germany: 7-day incidence per 100 000, RKI's published and epicurves'",
    x_axis_type="datetime",
    height=280,
    sizing_mode="stretch_width",
)
incidence_fig.line(
    all_ages.index,
    all_ages["Inzidenz_7-Tage"],
    line_width=4,
    alpha=0.4,
    legend_label="RKI",
)
incidence_fig.line(
    germany.index, germany["incidence_7d"], color="black", legend_label="epicurves"
)
r_fig = figure(
    title="Germany: 7-day R from RKI's nowcast",
    x_axis_type="datetime",
    height=280,
    sizing_mode="stretch_width",
    x_range=(nowcast.index[0], nowcast.index[-1]),
    y_range=(0, 3),
)
r_fig.line(published_r.index, published_r, line_width=4, alpha=0.4, legend_label="RKI")
r_fig.line(r.index, r, color="black", legend_label="epicurves r_rki")
r_fig.add_layout(Span(location=1, dimension="width", line_dash="dashed"))
show(column(incidence_fig, r_fig, sizing_mode="stretch_width"))
