"""CDC's forecast hubs: US weekly hospital admissions and shares of emergency-department visits, COVID-19 with every release kept and influenza as published now.

Both sources cover the 50 states, DC, Puerto Rico and ``US`` (region ids from the FIPS codes:
``06`` is ``US-CA``, ``72`` ``US-PR``; ``US`` is the country as the hubs count it, Puerto Rico
included). Weeks are MMWR weeks, dated by the Saturday that ends them. Signals (all ages,
``measured``): ``admissions`` (confirmed hospital admissions per week, NHSN),
``admissions-rate`` (the same per 100,000 people) and ``ed-share`` (the share of
emergency-department visits, NSSP, as the 0-1 proportion the hubs give).

- ``cdc-covid`` reads the COVID-19 Forecast Hub's ``time-series.parquet`` (``target_end_date``,
  ``observation``, ``location``, ``as_of``, ``target``): every weekly release (``as_of``), each
  restating the whole history of both targets. Its signal rows are the history of those
  releases (:func:`epicurves.releases.changes`): per release the rows new or changed since
  the release before, a row without a value where a row is gone, each with its ``release``.
- ``cdc-flu`` reads FluSight's ``target-hospital-admissions.csv`` (its ``weekly_rate`` checked
  to be value / population x 100,000 on every row) and ``target-ed-visits-prop.csv``: the
  current release only, as the files carry no release date. Empty values (``NA``) stay
  missing: no row.

The rates divide by FluSight's populations (``cdc-flu/locations.csv``, the ones its
``weekly_rate`` uses), for both sources; the COVID-19 hub's own ``locations.csv`` has other
estimates (Puerto Rico 17 % more) and is not read. FluSight's ``US`` population is the 50
states and DC, without Puerto Rico, while the US counts include it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from ..lazy import np, pd
from ..releases import changes, releases_of
from .base import Signal, Source, SourceData, UpstreamFile
from .cells import (
    SATURDAY,
    count_column,
    date_column,
    duplicated_rows,
    fips_regions,
    integer_column,
    known_values,
    number_column,
    on_weekday,
    proportions,
    whole_counts,
)
from .readers import FileRef, day_text, read_csv, read_parquet, row_error
from .signalrows import signal_rows, signals_data

__all__ = ["CDC_COVID", "CDC_FLU", "read_populations"]

_COVID_HOME = "https://github.com/CDCgov/covid19-forecast-hub"
_FLU_HOME = "https://github.com/cdcepi/FluSight-forecast-hub"
_FLU_RAW = "https://raw.githubusercontent.com/cdcepi/FluSight-forecast-hub/main/"
TIME_SERIES = UpstreamFile(
    "cdc-covid",
    "time-series.parquet",
    "https://raw.githubusercontent.com/CDCgov/covid19-forecast-hub/main/target-data/time-series.parquet",
)
FLU_ADMISSIONS = UpstreamFile(
    "cdc-flu",
    "target-hospital-admissions.csv",
    _FLU_RAW + "target-data/target-hospital-admissions.csv",
)
FLU_ED = UpstreamFile(
    "cdc-flu",
    "target-ed-visits-prop.csv",
    _FLU_RAW + "target-data/target-ed-visits-prop.csv",
)
#: FluSight's locations and populations, read by both sources.
LOCATIONS = UpstreamFile(
    "cdc-flu", "locations.csv", _FLU_RAW + "auxiliary-data/locations.csv"
)

_HOSP = "wk inc covid hosp"
#: The COVID-19 hub's targets: its ``target`` value -> our signal.
COVID_TARGETS = {_HOSP: "admissions", "wk inc covid prop ed visits": "ed-share"}
_COVID_COLUMNS = {
    "target_end_date": "date",
    "observation": "number",
    "location": "text",
    "as_of": "date",
    "target": "text",
}
_WEEK_END = "the Saturday that ends the week"


# -- populations ------------------------------------------------------------------------------


def read_populations(path: Path, source: Source) -> dict[str, int]:
    """FluSight's ``locations.csv``: the population of each region id (``US-CA``, ``US``),
    the one its ``weekly_rate`` divides by."""
    ref = source.file(LOCATIONS.name)
    frame = read_csv(path, ref, required=("location", "population"))
    region = fips_regions(frame, "location", ref)
    duplicated_rows(frame, ["location"], ref)
    population = integer_column(frame, "population", ref, minimum=1)
    return {str(r): int(p) for r, p in zip(region, population, strict=True)}


def _populations_of(
    frame: pd.DataFrame,
    region: pd.Series,
    population: Mapping[str, int],
    ref: FileRef,
    *,
    where: np.ndarray,
) -> np.ndarray:
    """The population of each row's region (a categorical), NaN off ``where``; the error
    names the first row ``where`` whose location ``locations.csv`` does not list."""
    by_code = np.array(
        [population.get(str(r), np.nan) for r in region.cat.categories] + [np.nan]
    )
    values = by_code[region.cat.codes.to_numpy()]
    missing = where & np.isnan(values)
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        msg = f"no population for {region.iloc[pos]}: not in {LOCATIONS.name}"
        raise row_error(
            frame,
            pos,
            ref,
            msg,
            column="location",
            expected=f"a location whose population {LOCATIONS.name} gives",
            value=str(frame["location"].iloc[pos]),
        )
    return np.where(where, values, np.nan)


def _signal_parts(
    counts: pd.DataFrame, shares: pd.DataFrame, pathogen: str
) -> list[pd.DataFrame]:
    """The ``admissions``, ``admissions-rate`` and ``ed-share`` rows of compact frames of
    ``region, week, value, population`` (``counts``) and ``region, week, value``
    (``shares``), with their ``release`` where they have one."""
    rows = functools.partial(
        signal_rows, pathogen=pathogen, age_group="00+", estimate="measured"
    )

    def part(frame: pd.DataFrame, signal: str, value: pd.Series) -> pd.DataFrame:
        release = frame["release"] if "release" in frame.columns else None
        return rows(
            frame,
            region_id=frame["region"],
            signal=signal,
            date=frame["week"],
            value=value,
            release=release,
        )

    rate = counts["value"] / counts["population"] * 100_000
    return [
        part(counts, "admissions", counts["value"]),
        part(counts, "admissions-rate", rate),
        part(shares, "ed-share", shares["value"]),
    ]


# -- cdc-covid: every release ------------------------------------------------------------------


def _check_releases(frame: pd.DataFrame, ref: FileRef) -> None:
    """Each release (``as_of``) dated after every week it holds, and not in the future."""
    release = frame["as_of"].to_numpy("datetime64[s]")
    week = frame["target_end_date"].to_numpy("datetime64[s]")
    # as the model judges dates of the future: a day's slack for time zones
    future = release > np.datetime64(pd.Timestamp.now() + pd.Timedelta(days=2), "s")
    early = week >= release
    for bad, what, expected in (
        (future, "is in the future", "releases up to today"),
        (
            early,
            "is not after its week {week}",
            "a release dated after each week it holds",
        ),
    ):
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            day = day_text(release[pos])
            msg = f"release {day} " + what.format(week=day_text(week[pos]))
            raise row_error(
                frame, pos, ref, msg, column="as_of", expected=expected, value=day
            )


def parse_covid(paths: Mapping[str, Path], source: Source) -> SourceData:
    """The history of the COVID-19 hub's releases: the rows each release changed."""
    name = TIME_SERIES.name
    ref = source.file(name)
    frame = read_parquet(paths[name], ref, required=_COVID_COLUMNS)
    target = known_values(frame, "target", tuple(COVID_TARGETS), ref)
    region = fips_regions(frame, "location", ref)
    on_weekday(frame, "target_end_date", ref, SATURDAY, expected=_WEEK_END)
    _check_releases(frame, ref)
    duplicated_rows(frame, ["target", "location", "target_end_date", "as_of"], ref)
    counts = (target == _HOSP).to_numpy()
    whole_counts(frame, "observation", ref, where=counts)
    proportions(frame, "observation", ref, where=~counts)
    population = read_populations(paths[LOCATIONS.name], source)
    people = _populations_of(frame, region, population, ref, where=counts)
    compact = pd.DataFrame(
        {
            "target": target,
            "region": region,
            "week": frame["target_end_date"],
            "release": frame["as_of"],
            "value": frame["observation"],
            "population": people,
        },
        copy=False,
    )
    # what each release changed; its population is the region's, the same in every row
    history = changes(compact, ["target", "region", "week"])
    is_count = (history["target"] == _HOSP).to_numpy()
    data = signals_data(
        _signal_parts(history[is_count], history[~is_count], "SARS-CoV-2")
    )
    # every release, also one that changed nothing (its rows are then all in the history)
    data.releases = tuple(releases_of(compact))
    return data


# -- cdc-flu: the current release ---------------------------------------------------------------


def _read_flu(
    path: Path, ref: FileRef, columns: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """A FluSight target file with its region and week of each row checked: a known FIPS
    code, a Saturday, one row per location and week."""
    frame = read_csv(path, ref, required=columns)
    region = fips_regions(frame, "location", ref)
    week = date_column(frame, "date", ref, fmt="%Y-%m-%d")
    on_weekday(frame, "date", ref, SATURDAY, dates=week, expected=_WEEK_END)
    duplicated_rows(frame.assign(date=week), ["location", "date"], ref)
    return frame, region, week


def _check_rates(
    frame: pd.DataFrame,
    value: pd.Series,
    rate: pd.Series,
    computed: np.ndarray,
    ref: FileRef,
) -> None:
    """FluSight's ``weekly_rate``: value / population x 100,000 (relative 1e-9) on every row
    with a value, empty on every row without one."""
    known = value.notna().to_numpy()
    given = rate.to_numpy(np.float64)
    with np.errstate(invalid="ignore"):
        off = ~(np.abs(given - computed) <= 1e-9 * np.abs(computed))
    bad = (known & off) | (~known & ~np.isnan(given))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        if known[pos]:
            msg = "not the value per 100,000 people"
            expected = f"{computed[pos]:.12g} (value / population x 100,000)"
        else:
            msg, expected = "a rate without a value", "NA, as the value"
        raise row_error(
            frame,
            pos,
            ref,
            msg,
            column="weekly_rate",
            expected=expected,
            value=str(frame["weekly_rate"].iloc[pos]),
        )


def parse_flu(paths: Mapping[str, Path], source: Source) -> SourceData:
    """FluSight's current weekly influenza admissions, their rate and the ED share."""
    population = read_populations(paths[LOCATIONS.name], source)
    ref = source.file(FLU_ADMISSIONS.name)
    frame, region, week = _read_flu(
        paths[FLU_ADMISSIONS.name], ref, ("date", "location", "value", "weekly_rate")
    )
    value = count_column(frame, "value", ref, allow_missing=True)
    rate = number_column(frame, "weekly_rate", ref, allow_missing=True)
    known = value.notna().to_numpy()
    people = _populations_of(frame, region, population, ref, where=known)
    _check_rates(frame, value, rate, value.to_numpy() / people * 100_000, ref)
    counts = pd.DataFrame(
        {"region": region, "week": week, "value": value, "population": people}
    )[known]

    ed_ref = source.file(FLU_ED.name)
    ed, ed_region, ed_week = _read_flu(
        paths[FLU_ED.name], ed_ref, ("date", "location", "value")
    )
    share = number_column(ed, "value", ed_ref, allow_missing=True)
    proportions(ed, "value", ed_ref, values=share)
    shares = pd.DataFrame({"region": ed_region, "week": ed_week, "value": share})
    shares = shares[shares["value"].notna()]

    notes = [
        f"{f.name}: {n} row{'s' * (n != 1)} without a value (NA) left out: missing, not zero"
        for f, n in (
            (FLU_ADMISSIONS, int((~known).sum())),
            (FLU_ED, len(ed) - len(shares)),
        )
        if n
    ]
    return signals_data(_signal_parts(counts, shares, "Influenza"), notes)


# -- the declarations ------------------------------------------------------------------------

_DELAY = (
    "Published on Wednesdays, about 4 days after the week ends. The newest weeks are "
    "incomplete and revised upward a lot: provisional while the 90th percentile of a "
    "state's revision at that age exceeds 10 %, which in the COVID-19 hub's releases of "
    "2024-11 to 2026-08 is the newest {n}."
)


def _signals(pathogen: str, disease: str, borrowed: str) -> tuple[Signal, ...]:
    """The three signals of a hub, for ``pathogen`` (``disease`` in words)."""
    weeks = "Each week is dated by its Saturday (MMWR weeks)."
    return (
        Signal(
            "admissions",
            "Hospital admissions per week",
            "admissions per week",
            "week",
            (pathogen,),
            ("measured",),
            f"New hospital admissions with confirmed {disease} per week, as hospitals report "
            f"them to CDC's NHSN; the 50 states, DC, Puerto Rico and the US. {weeks}",
            _DELAY.format(n="3 weeks") + borrowed,
            provisional_weeks=3,
        ),
        Signal(
            "admissions-rate",
            "Hospital admissions per 100 000 per week",
            "per 100,000 per week",
            "week",
            (pathogen,),
            ("measured",),
            f"New hospital admissions with confirmed {disease} per 100,000 people per week: "
            "the admissions divided by FluSight's population estimates. " + weeks,
            _DELAY.format(n="3 weeks")
            + borrowed
            + " The US rate divides admissions that "
            "include Puerto Rico by a population without it (as FluSight does).",
            provisional_weeks=3,
            derived=True,
        ),
        Signal(
            "ed-share",
            "Share of emergency-department visits",
            "share of ED visits",
            "week",
            (pathogen,),
            ("measured",),
            f"The share of emergency-department visits diagnosed with {disease}, as a "
            "proportion from 0 to 1 (CDC's NSSP); the states reporting, DC and the US. "
            + weeks,
            _DELAY.format(n="week") + borrowed + " A state not reporting shows 0.",
            provisional_weeks=1,
        ),
    )


_PUBLIC = "Public domain (US government work: CDC's NHSN and NSSP data), published by "

CDC_COVID = Source(
    name="cdc-covid",
    description="CDC COVID-19 Forecast Hub, US states: weekly COVID-19 hospital admissions "
    "(NHSN) and share of emergency-department visits (NSSP), every weekly release kept.",
    licence=_PUBLIC
    + "CDC's COVID-19 Forecast Hub (repository Apache-2.0); cite the hub "
    "and NHSN/NSSP",
    homepage=_COVID_HOME,
    files=(TIME_SERIES, LOCATIONS),
    parse_files=parse_covid,
    interval_days=7,
    date_offset_days=0,  # weeks dated by their Saturday, the last day
    delay_days=4,  # released on the Wednesday after the week (81 of its 84 releases)
    # between the hub's seasons: no release from 2025-09-24 to 2025-11-19
    pauses=(("09-25", "11-18"),),
    releases=True,
    signals=_signals("SARS-CoV-2", "COVID-19", ""),
)

CDC_FLU = Source(
    name="cdc-flu",
    description="CDC FluSight forecast hub, US states: weekly influenza hospital admissions "
    "(NHSN) and share of emergency-department visits (NSSP), as published now.",
    licence=_PUBLIC + "CDC's FluSight forecast hub (repository MIT); cite the hub and "
    "NHSN/NSSP",
    homepage=_FLU_HOME,
    files=(FLU_ADMISSIONS, FLU_ED, LOCATIONS),
    parse_files=parse_flu,
    interval_days=7,
    date_offset_days=0,  # weeks dated by their Saturday, the last day
    delay_days=4,
    # FluSight publishes in season: its files end with June's last week (2026-06-27) and
    # its seasons start in the second half of November
    pauses=(("07-05", "11-18"),),
    signals=_signals(
        "Influenza",
        "influenza",
        " FluSight's files have no releases, so the provisional weeks are the COVID-19 "
        "hub's (the same NHSN and NSSP reporting).",
    ),
)
