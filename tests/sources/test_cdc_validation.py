"""CDC's hub files checked against themselves and against the parser on the real files in ../shared/data (skipped where absent).

Measured on the copies of SOURCES.md (COVID-19 hub 8641100, FluSight 9246969), see
/work/prof/issue21-design.md sections 1 and 3: FluSight's ``weekly_rate`` is value /
population x 100,000 on all 12,154 rows with a value (max abs error 5e-14); each COVID-19
release's newest week is 4 to 11 days old; US minus the other locations is 0 to 18 admissions
in every COVID-19 release and 0 to 75 in FluSight's file; FluSight's populations are within
12 % of JHU's (2019 against 2024 estimates); and the revisions of 84 releases make the newest
3 weeks of admissions and the newest week of ED shares provisional.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from epicurves import Settings, get_source, load_signals, update
from epicurves.releases import releases_of, view
from epicurves.sources.geo import us_code_by_fips
from epicurves.sources.jhu import read_lookup
from source_files import mirror_paths

pytestmark = pytest.mark.realdata

COVID, FLU = "cdc-covid", "cdc-flu"
HOSP, ED = "wk inc covid hosp", "wk inc covid prop ed visits"
KEY = ["region_id", "signal", "pathogen", "age_group", "estimate", "date"]
IDS = us_code_by_fips() | {"US": "US"}
#: A week is provisional while the 90th percentile of the states' relative revisions of the
#: weeks of that age exceeds this (design note, section 3).
PROVISIONAL = 0.10


@pytest.fixture(scope="module")
def covid_paths(shared_data: Path) -> dict[str, Path]:
    return mirror_paths(shared_data, COVID, skip=True)


@pytest.fixture(scope="module")
def flu_paths(shared_data: Path) -> dict[str, Path]:
    return mirror_paths(shared_data, FLU, skip=True)


@pytest.fixture(scope="module")
def releases(covid_paths: dict[str, Path]) -> pd.DataFrame:
    """The COVID-19 hub's file as it is: ``target, location, region_id, week, release,
    value``, every release whole (702,878 rows)."""
    frame = pq.read_table(covid_paths["time-series.parquet"]).to_pandas()
    return pd.DataFrame(
        {
            "target": frame["target"],
            "location": frame["location"],
            "region_id": frame["location"].map(IDS),
            "week": pd.to_datetime(frame["target_end_date"]).astype("datetime64[s]"),
            "release": pd.to_datetime(frame["as_of"]).astype("datetime64[s]"),
            "value": frame["observation"],
        }
    )


@pytest.fixture(scope="module")
def history(covid_paths: dict[str, Path]) -> pd.DataFrame:
    data = get_source(COVID).parse(covid_paths)
    assert data.signals is not None
    return data.signals


@pytest.fixture(scope="module")
def flu(flu_paths: dict[str, Path]) -> pd.DataFrame:
    data = get_source(FLU).parse(flu_paths)
    assert data.signals is not None
    return data.signals


def _flu_table(flu_paths: dict[str, Path], name: str) -> pd.DataFrame:
    return pd.read_csv(flu_paths[name], dtype={"location": str})


def _flusight_populations(flu_paths: dict[str, Path]) -> pd.Series:
    table = pd.read_csv(flu_paths["locations.csv"], dtype={"location": str})
    return table.set_index("location")["population"]


# -- the files against themselves ------------------------------------------------------------


def test_flu_weekly_rate_is_value_per_100k_of_flusight_s_population(
    flu_paths: dict[str, Path],
) -> None:
    table = _flu_table(flu_paths, "target-hospital-admissions.csv")
    population = table["location"].map(_flusight_populations(flu_paths))
    assert population.notna().all()
    known = table["value"].notna()
    assert (int(known.sum()), int((~known).sum())) == (12154, 36)
    assert table.loc[~known, "weekly_rate"].isna().all()
    computed = table["value"][known] / population[known] * 100_000
    assert np.abs(computed - table["weekly_rate"][known]).max() <= 1e-9


def test_each_covid_release_s_newest_week_is_4_to_11_days_old(
    releases: pd.DataFrame,
) -> None:
    newest = releases.groupby(["target", "release"])["week"].max().reset_index()
    lag = (newest["release"] - newest["week"]).dt.days
    assert lag.between(4, 11).all(), newest[~lag.between(4, 11)]
    assert newest.groupby("target").size().to_dict() == {HOSP: 84, ED: 55}
    assert lag.min() == 4 and lag.max() == 11


def test_covid_us_is_the_other_locations_plus_0_to_20(releases: pd.DataFrame) -> None:
    hosp = releases[releases["target"] == HOSP]
    us = hosp[hosp["location"] == "US"].set_index(["release", "week"])["value"]
    others = hosp[hosp["location"] != "US"].groupby(["release", "week"])["value"].sum()
    diff = (us - others.reindex(us.index)).dropna()
    assert len(diff) == len(us) == 4009
    assert diff.min() >= 0 and diff.max() <= 20, diff.describe()


def test_flu_us_is_the_states_plus_0_to_80(flu_paths: dict[str, Path]) -> None:
    """Missing states (36 empty values) count as 0: measured 0 to 75, 0 to 3 in those weeks."""
    table = _flu_table(flu_paths, "target-hospital-admissions.csv")
    us = table[table["location"] == "US"].set_index("date")["value"]
    states = table[table["location"] != "US"].groupby("date")["value"].sum()
    diff = us - states.reindex(us.index)
    assert len(diff) == 230 and diff.notna().all()
    assert diff.min() >= 0 and diff.max() <= 80, diff.describe()


def test_ed_shares_are_proportions(history: pd.DataFrame, flu: pd.DataFrame) -> None:
    for frame, top in ((history, 0.07), (flu, 0.18)):
        shares = frame.loc[frame["signal"] == "ed-share", "value"].dropna()
        assert len(shares) and shares.min() >= 0 and shares.max() <= top <= 1


def test_flusight_populations_are_within_15_percent_of_jhu_s(
    shared_data: Path, flu_paths: dict[str, Path]
) -> None:
    """JHU's UID table gives the project's US populations (nyt, jhu-us, jhu's ``US``).
    Measured: median 3.2 %, at most 12.0 % (Idaho); US +3.2 %."""
    lookup_path = shared_data / "jhu" / "UID_ISO_FIPS_LookUp_Table.csv.gz"
    if not lookup_path.is_file():
        pytest.skip(f"{lookup_path.name} not in {shared_data}")
    lookup = read_lookup(lookup_path, get_source("nyt"))
    us = lookup[lookup["Country_Region"] == "US"]
    states = us[(us["Admin2"] == "") & (us["FIPS"] != "")]
    jhu = dict(zip(states["FIPS"].str.zfill(2), states["Population"], strict=True))
    jhu["US"] = int(us.loc[us["Province_State"] == "", "Population"].iloc[0])
    flusight = _flusight_populations(flu_paths)
    assert len(flusight) == 53
    ratio = pd.Series({loc: flusight[loc] / jhu[loc] - 1 for loc in flusight.index})
    assert ratio.abs().max() <= 0.15, ratio.sort_values()
    assert ratio.abs().median() == pytest.approx(0.032, abs=0.005)


# -- the provisional weeks, from the releases -------------------------------------------------


def _revision_p90(releases: pd.DataFrame, target: str) -> pd.Series:
    """The 90th percentile of |final - value| / final by the week's age in its release (1:
    the release's newest week), over the states (US left out) and the weeks at least 8 weeks
    older than the last release, where the final value (the last release's) is > 0."""
    rows = releases[releases["target"] == target]
    last = rows["release"].max()
    final = rows[rows["release"] == last].set_index(["location", "week"])["value"]
    newest = rows.groupby("release")["week"].transform("max")
    age = (newest - rows["week"]).dt.days // 7 + 1
    rows = rows.assign(age=age).join(final.rename("final"), on=["location", "week"])
    rows = rows[
        (rows["location"] != "US")
        & ((last - rows["week"]).dt.days >= 56)
        & (rows["final"] > 0)
    ]
    revision = (rows["final"] - rows["value"]).abs() / rows["final"]
    p90: pd.Series = revision.groupby(rows["age"]).quantile(0.9)
    return p90


@pytest.mark.parametrize(
    ("target", "signals", "p90"),
    [
        (HOSP, ("admissions", "admissions-rate"), [0.345, 0.162, 0.115, 0.095]),
        (ED, ("ed-share",), [0.147, 0.067]),
    ],
)
def test_the_declared_provisional_weeks_follow_from_the_revisions(
    releases: pd.DataFrame, target: str, signals: tuple[str, ...], p90: list[float]
) -> None:
    measured = _revision_p90(releases, target)
    assert measured.iloc[: len(p90)].tolist() == pytest.approx(p90, abs=0.001)
    provisional = 0
    while measured.get(provisional + 1, 0.0) > PROVISIONAL:
        provisional += 1
    # FluSight has no releases: it borrows the hub's figures
    for source in (COVID, FLU):
        for name in signals:
            signal = get_source(source).signal(name)
            assert signal is not None and signal.provisional_weeks == provisional


# -- the parser's history against the file ---------------------------------------------------


def test_the_history_is_what_each_release_changed(history: pd.DataFrame) -> None:
    counts = history.groupby("signal").size().to_dict()
    assert counts == {"admissions": 14876, "admissions-rate": 14876, "ed-share": 16707}
    assert counts["admissions"] + counts["ed-share"] == 31583
    assert history["release"].notna().all()
    assert len(releases_of(history)) == 84


def test_the_history_gives_back_every_release_of_the_file(
    history: pd.DataFrame, releases: pd.DataFrame, flu_paths: dict[str, Path]
) -> None:
    """Every one of the 84 releases, taken from the history by an implementation of its own
    (integer keys and NumPy), equals the file's; and every rate row is its count per 100,000."""
    signal_of = {HOSP: "admissions", ED: "ed-share"}
    counts = history[history["signal"] != "admissions-rate"]
    # one integer per (region, signal, week), shared by the file's rows and the history's
    keys = pd.concat(
        [
            pd.DataFrame({
                "region_id": releases["region_id"].astype(str),
                "signal": releases["target"].map(signal_of),
                "date": releases["week"],
            }),
            counts[["region_id", "signal", "date"]].astype(
                {"region_id": str, "signal": str}
            ),
        ],
        ignore_index=True,
    )  # fmt: skip
    codes, _ = pd.factorize(pd.MultiIndex.from_frame(keys))
    file_code, own_code = codes[: len(releases)], codes[len(releases) :]
    file_release = releases["release"].to_numpy("datetime64[s]")
    file_value = releases["value"].to_numpy()
    own_release = counts["release"].to_numpy("datetime64[s]")
    order = np.lexsort((own_release, own_code))
    own_code, own_release = own_code[order], own_release[order]
    own_value = counts["value"].to_numpy()[order]
    every = np.unique(file_release)
    assert releases_of(history) == [pd.Timestamp(r) for r in every]
    for release in every:
        known = own_release <= release
        code, value = own_code[known], own_value[known]
        newest = np.r_[code[1:] != code[:-1], True]
        code, value = code[newest], value[newest]
        code, value = code[~np.isnan(value)], value[~np.isnan(value)]
        mine = file_release == release
        want = np.argsort(file_code[mine])
        assert np.array_equal(code, file_code[mine][want]), release
        assert np.array_equal(value, file_value[mine][want]), release
    # the library's own reading of the newest release agrees
    latest = view(history, pd.Timestamp(every[-1]), KEY)
    assert (
        len(latest[latest["signal"] != "admissions-rate"])
        == (file_release == every[-1]).sum()
    )
    # rates: each admissions row (tombstones too) has its rate row, count / population
    population = {
        IDS[str(loc)]: p for loc, p in _flusight_populations(flu_paths).items()
    }
    on = ["region_id", "date", "release"]
    admissions = history[history["signal"] == "admissions"].set_index(on)["value"]
    rate = history[history["signal"] == "admissions-rate"].set_index(on)["value"]
    assert admissions.index.sort_values().equals(rate.index.sort_values())
    people = admissions.index.get_level_values(0).astype(str).map(population)
    per_100k = admissions / people.to_numpy(np.float64) * 1e5
    pd.testing.assert_series_equal(
        rate.sort_index(), per_100k.sort_index(), check_names=False
    )


def test_the_store_reads_the_real_releases_as_of_a_day(
    shared_data: Path, tmp_path: Path, releases: pd.DataFrame
) -> None:
    """No release on 2025-01-22 (a gap of 14 days): as of that day is the release of
    2025-01-15."""
    settings = Settings(home=tmp_path / "home", mirror=shared_data)
    report = update(settings, [COVID, FLU])
    assert {s.source: s.status for s in report.sources} == {
        COVID: "updated",
        FLU: "updated",
    }
    got = load_signals(["US-CA"], ["admissions"], settings=settings, as_of="2025-01-22")
    got = got[got["source"] == COVID]
    assert set(got["release"].astype(str)) == {"2025-01-15"}
    published = releases[
        (releases["release"] == pd.Timestamp("2025-01-15"))
        & (releases["target"] == HOSP)
        & (releases["location"] == "06")
    ].sort_values("week")
    assert got.sort_values("date")["value"].tolist() == published["value"].tolist()
    assert got["date"].max() == pd.Timestamp("2025-01-11")
