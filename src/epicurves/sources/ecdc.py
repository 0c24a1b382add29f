"""ECDC's European Respiratory Virus Surveillance Summary (ERVISS): weekly consultation rates of influenza-like illness and acute respiratory infection, SARI rates, and SARI patients tested and found positive for SARS-CoV-2, influenza and RSV, by EU/EEA country.

``ecdc-erviss`` reads three files of ECDC's repository ``EU-ECDC/Respiratory_viruses_weekly_data``
(columns ``survtype, countryname, yearweek, ..., value``; ``yearweek`` an ISO week
``YYYY-Www``, stored as its Monday, as RKI's weekly files are). Region ids are ISO 3166-1
alpha-2 (:data:`COUNTRIES`: ``France`` is ``FR``, ``Greece`` ``GR``); any other name is an
error, but for ``EU/EEA``, ECDC's aggregate of the reporting countries, which is left out
with a note (epicurves keeps countries, and ECDC's aggregate is no sum of them).

- ``ILIARIRates.csv`` (``indicator`` ``ILIconsultationrate``, ``ARIconsultationrate``; ``age``
  ``0-4``, ``5-14``, ``15-64``, ``65+``, ``total``): signals ``ili-rate`` and ``ari-rate``,
  primary-care consultations for influenza-like illness and acute respiratory infection.
- ``SARIRates.csv`` (``SARIrate``, the same ages): signal ``sari-rate``, hospital admissions
  with a severe acute respiratory infection in sentinel hospitals.
- ``SARITestsDetectionsPositivity.csv`` (``pathogen``, ``pathogentype``, ``pathogensubtype``;
  ``indicator`` ``tests``, ``detections``, ``positivity``; age ``total``): signals
  ``sari-tests``, ``sari-detections`` and ``sari-positivity`` (percent), pathogens
  ``SARS-CoV-2``, ``Influenza`` and ``RSV``. Only each pathogen's total is kept (the rows whose
  ``pathogentype`` is the pathogen); the detections of influenza types and subtypes and of
  RSV-A/B are left out with a note. Positivity is checked to be 100 x detections / tests,
  rounded to one decimal, on every row with all three, and detections to be at most tests.

Ages are spelled as RKI's (``00-04``, ``05-14``, ``15-64``, ``65+``; ``00+`` all ages). The
syndromic rates (ILI, ARI, SARI) have pathogen ``any``: a syndrome, whatever causes it.

**Units travel with every value** (each row's ``unit``): ERVISS gives the ILI and ARI rates
per 100,000 population, but per 100 consultations for Cyprus, Luxembourg and Malta and per
100,000 consultations for Finland (its README; :data:`COUNTRIES`). SARI rates are per 100,000
population everywhere. A value above what its unit allows (:data:`UNIT_BOUNDS`: a share of
consultations above all of them) is refused as a changed unit convention.

**Outliers are kept and flagged** (:func:`outliers`): a rate more than
:data:`OUTLIER_FACTOR` times the level of its series (country, signal, age group) is stored
with estimate ``outlier`` instead of ``measured``; the level is the larger of the median of
the :data:`OUTLIER_WINDOW` values around it and the series' 75th percentile.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..lazy import np, pd
from .base import Signal, Source, SourceData, UpstreamFile
from .cells import (
    duplicated_rows,
    known_values,
    number_column,
    week_column,
    whole_counts,
)
from .readers import FileRef, cell_error, line_of, read_csv, row_error
from .signalrows import signal_rows, signals_data

__all__ = ["COUNTRIES", "ECDC_ERVISS", "UNIT_BOUNDS", "outliers"]

_HOME = "https://github.com/EU-ECDC/Respiratory_viruses_weekly_data"
_RAW = "https://raw.githubusercontent.com/EU-ECDC/Respiratory_viruses_weekly_data/main/data/"
ILI_ARI = UpstreamFile("ecdc", "ILIARIRates.csv", _RAW + "ILIARIRates.csv")
SARI = UpstreamFile("ecdc", "SARIRates.csv", _RAW + "SARIRates.csv")
VIROLOGY = UpstreamFile(
    "ecdc",
    "SARITestsDetectionsPositivity.csv",
    _RAW + "SARITestsDetectionsPositivity.csv",
)

PER_POPULATION = "per 100,000 population"
PER_100_CONSULTATIONS = "per 100 consultations"
PER_100K_CONSULTATIONS = "per 100,000 consultations"
#: The largest value each unit allows: consultations for one illness are at most all of
#: them, and at most one a week per person (ERVISS's largest per 100,000 population: 55,273).
UNIT_BOUNDS: dict[str, float] = {
    PER_POPULATION: 100_000.0,
    PER_100_CONSULTATIONS: 100.0,
    PER_100K_CONSULTATIONS: 100_000.0,
}

_P, _C, _K = PER_POPULATION, PER_100_CONSULTATIONS, PER_100K_CONSULTATIONS
#: The 30 EU/EEA countries as ERVISS writes them -> (region id, the unit of their ILI and ARI
#: consultation rates), as ERVISS's README says.
#:
#: >>> COUNTRIES["Malta"], COUNTRIES["Finland"], COUNTRIES["Greece"]
#: (('MT', 'per 100 consultations'), ('FI', 'per 100,000 consultations'), ('GR', 'per 100,000 population'))
COUNTRIES: dict[str, tuple[str, str]] = {
    "Austria": ("AT", _P), "Belgium": ("BE", _P), "Bulgaria": ("BG", _P),
    "Croatia": ("HR", _P), "Cyprus": ("CY", _C), "Czechia": ("CZ", _P),
    "Denmark": ("DK", _P), "Estonia": ("EE", _P), "Finland": ("FI", _K),
    "France": ("FR", _P), "Germany": ("DE", _P), "Greece": ("GR", _P),
    "Hungary": ("HU", _P), "Iceland": ("IS", _P), "Ireland": ("IE", _P),
    "Italy": ("IT", _P), "Latvia": ("LV", _P), "Liechtenstein": ("LI", _P),
    "Lithuania": ("LT", _P), "Luxembourg": ("LU", _C), "Malta": ("MT", _C),
    "Netherlands": ("NL", _P), "Norway": ("NO", _P), "Poland": ("PL", _P),
    "Portugal": ("PT", _P), "Romania": ("RO", _P), "Slovakia": ("SK", _P),
    "Slovenia": ("SI", _P), "Spain": ("ES", _P), "Sweden": ("SE", _P),
}  # fmt: skip
#: ECDC's aggregate of the reporting countries: not a country, left out with a note.
EU_EEA = "EU/EEA"
#: ERVISS's age groups -> the project's spelling (RKI's).
AGE_GROUPS = {
    "total": "00+",
    "0-4": "00-04",
    "5-14": "05-14",
    "15-64": "15-64",
    "65+": "65+",
}
#: The pathogen of the syndromic rates: a syndrome, whatever causes it.
ANY = "any"
#: ERVISS's rate indicators -> signals.
RATES = {
    "ILIconsultationrate": "ili-rate",
    "ARIconsultationrate": "ari-rate",
    "SARIrate": "sari-rate",
}
#: ERVISS's pathogens -> the project's spelling (as the CDC and RKI sources write them).
PATHOGENS = {"SARS-CoV-2": "SARS-CoV-2", "Influenza": "Influenza", "RSV": "RSV"}
#: The virological indicators -> signals.
INDICATORS = {
    "tests": "sari-tests",
    "detections": "sari-detections",
    "positivity": "sari-positivity",
}
#: A rate above this many times the level of its series is an outlier (:func:`outliers`).
OUTLIER_FACTOR = 8.0
#: How many values of a series (itself and those around it, in week order) its local level
#: is the median of.
OUTLIER_WINDOW = 9
_COLUMNS = ("countryname", "yearweek", "indicator", "age", "value")


# -- the checks every file gets ----------------------------------------------------------------


def _stripped(text: pd.Series) -> pd.Series:
    """A text column as a categorical of its stripped cells: each check then looks at each
    distinct value once, not at every row."""
    column = text.astype("category")
    labels = column.cat.categories.str.strip()
    if labels.is_unique:
        return column.cat.rename_categories(list(labels))
    return text.str.strip().astype("category")


def _countries(frame: pd.DataFrame, ref: FileRef) -> tuple[pd.Series, np.ndarray]:
    """The region id of each row (a categorical; ``EU/EEA`` for ECDC's aggregate) and where
    the rows are ``EU/EEA``; the error names the first row with another name."""
    names = frame["countryname"]  # a categorical (_stripped)
    ids = {n: i for n, (i, _) in COUNTRIES.items()} | {EU_EEA: EU_EEA}
    labels = list(names.cat.categories)
    known = np.array([c in ids for c in labels] + [False])  # code -1: an empty cell
    unknown = ~known[names.cat.codes.to_numpy()]
    if unknown.any():
        pos = int(np.flatnonzero(unknown)[0])
        value = frame["countryname"].iloc[pos]
        msg = f"unknown country {value!r}" if pd.notna(value) else "empty cell"
        expected = (
            f"an EU/EEA country as ERVISS writes it ({', '.join(COUNTRIES)}) or EU/EEA"
        )
        raise cell_error(frame, pos, "countryname", ref, msg, expected)
    region = names.cat.rename_categories([ids[c] for c in labels])
    return region, (region == EU_EEA).to_numpy(dtype=bool)


def _weeks(frame: pd.DataFrame, ref: FileRef) -> pd.Series:
    """The Monday of each row's ISO week (``yearweek``, a categorical): each distinct week
    read once, at its first row (so that an error names the first line with a bad week)."""
    codes = frame["yearweek"].cat.codes.to_numpy()
    distinct, first = np.unique(codes, return_index=True)
    order = np.argsort(first)
    mondays = week_column(frame.iloc[first[order]], "yearweek", ref).to_numpy()
    by_code = np.empty(len(frame["yearweek"].cat.categories) + 1, dtype="datetime64[s]")
    by_code[distinct[order]] = mondays  # code -1 (an empty cell) is refused above
    return pd.Series(by_code[codes], index=frame.index)


def _read(
    path: Path, ref: FileRef, columns: tuple[str, ...], key: list[str]
) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series, np.ndarray]:
    """An ERVISS file, its ``key`` columns stripped categoricals, with what every row must be
    checked: its country (region id), its ISO week (the Monday), its value (a number >= 0)
    and one row per ``key``."""
    frame = read_csv(path, ref, required=columns, categorical=key)
    frame = frame.assign(**{c: _stripped(frame[c]) for c in key})
    region, aggregate = _countries(frame, ref)
    week = _weeks(frame, ref)
    value = number_column(frame, "value", ref)
    duplicated_rows(frame, key, ref)
    return frame, region, week, value, aggregate


def _codes(*columns: pd.Series) -> np.ndarray:
    """One integer per distinct combination of the categoricals ``columns`` (0, 1, ...)."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        combined = combined * (len(column.cat.categories) + 1) + column.cat.codes + 1
    return pd.factorize(combined)[0]


def _left_out(name: str, n: int, what: str) -> list[str]:
    """A note on ``n`` rows of file ``name`` left out (none if ``n`` is 0)."""
    return [f"{name}: {n:,} row{'s' * (n != 1)} {what}"] if n else []


def _eu_note(name: str, aggregate: np.ndarray) -> list[str]:
    return _left_out(
        name,
        int(aggregate.sum()),
        "of EU/EEA left out: ECDC's aggregate of the reporting countries, not a country",
    )


# -- the rates: units and outliers --------------------------------------------------------------


def _check_units(
    frame: pd.DataFrame,
    value: pd.Series,
    unit: pd.Series,
    keep: np.ndarray,
    ref: FileRef,
) -> None:
    """Each rate at most what its unit allows (:data:`UNIT_BOUNDS`): above it, the country's
    unit convention has changed (Malta's ILI rate per 100,000 population, not per 100
    consultations); the error names the row."""
    limits = [UNIT_BOUNDS.get(u, np.inf) for u in unit.cat.categories]
    bound = np.array([*limits, np.inf])[unit.cat.codes.to_numpy()]
    numbers = value.to_numpy(dtype=float)
    bad = keep & (numbers > bound)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        country = str(frame["countryname"].iloc[pos]).strip()
        msg = (
            f"{country}'s {str(frame['indicator'].iloc[pos]).strip()} {numbers[pos]:g} is "
            f"more than {unit.iloc[pos]} allows: has ERVISS changed {country}'s unit?"
        )
        raise row_error(
            frame, pos, ref, msg, column="value",
            expected=f"at most {bound[pos]:,.0f} ({unit.iloc[pos]}, {country}'s unit)",
            value=str(frame["value"].iloc[pos]),
        )  # fmt: skip


def outliers(series: np.ndarray, week: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Where a value is an outlier of its series (``series``: integer codes; ``week``: the
    dates): above :data:`OUTLIER_FACTOR` times the series' level there, the larger of the
    median of the :data:`OUTLIER_WINDOW` values around it (itself, the 4 before and the 4
    after, in week order; fewer at the ends) and the 75th percentile of the whole series. A
    level of 0 (a series of zeros) flags nothing. Seasonal peaks rise over weeks and stay
    below it; a week of 100,000 per 100,000 consultations among values of 6,000 does not.

    >>> weeks = np.arange(12).astype("datetime64[W]")
    >>> values = np.array([5.0, 6, 7, 60, 8, 7, 6, 5, 4, 4, 3, 30])
    >>> outliers(np.zeros(12, dtype=int), weeks, values).nonzero()[0].tolist()
    [3]
    """
    order = np.lexsort((week, series))
    codes, numbers = series[order], value[order]
    grouped = pd.Series(numbers).groupby(codes, sort=True)
    local = grouped.rolling(OUTLIER_WINDOW, center=True, min_periods=1).median()
    local_level = local.droplevel(0).sort_index().to_numpy()
    p75 = grouped.quantile(0.75)
    level = np.maximum(local_level, p75.reindex(codes).to_numpy())
    flagged = (level > 0) & (numbers > OUTLIER_FACTOR * level)
    out = np.zeros(len(value), dtype=bool)
    out[order] = flagged
    return out


def _outlier_note(name: str, region: pd.Series, flagged: np.ndarray) -> list[str]:
    """A note on the rates of file ``name`` flagged as outliers, by country."""
    counts = pd.Series(region[flagged].astype(str)).value_counts().sort_index()
    by = ", ".join(f"{r} {n}" for r, n in counts.items())
    n = int(flagged.sum())
    what = "an outlier" if n == 1 else "outliers"
    kept = f"kept with estimate outlier: {by}"
    return [f"{name}: {n} value{'s' * (n != 1)} flagged as {what}, {kept}"] if n else []


def _rates(
    path: Path, source: Source, file: UpstreamFile
) -> tuple[pd.DataFrame, list[str]]:
    """The signal rows of a file of rates (ILI and ARI, or SARI), with their notes."""
    ref = source.file(file.name)
    indicators = {k: v for k, v in RATES.items() if (k == "SARIrate") == (file is SARI)}
    frame, region, week, value, aggregate = _read(
        path, ref, _COLUMNS, ["countryname", "yearweek", "indicator", "age"]
    )
    signal = _relabelled(
        known_values(frame, "indicator", tuple(indicators), ref), indicators
    )
    age = _relabelled(known_values(frame, "age", tuple(AGE_GROUPS), ref), AGE_GROUPS)
    units = {
        n: PER_POPULATION if file is SARI else u for n, (_, u) in COUNTRIES.items()
    }
    unit = _relabelled(frame["countryname"], units)
    keep = ~aggregate
    _check_units(frame, value, unit, keep, ref)
    kept = frame[keep]
    region, signal, age, unit = region[keep], signal[keep], age[keep], unit[keep]
    flagged = outliers(
        _codes(region, signal, age), week[keep].to_numpy(), value[keep].to_numpy(float)
    )
    estimate = pd.Categorical.from_codes(
        flagged.astype(np.int8), pd.Index(["measured", "outlier"])
    )
    rows = signal_rows(
        kept, region_id=region, signal=signal, pathogen=ANY, age_group=age,
        estimate=pd.Series(estimate, index=kept.index), date=week[keep], value=value[keep],
        unit=unit,
    )  # fmt: skip
    notes = _eu_note(file.name, aggregate) + _outlier_note(file.name, region, flagged)
    return rows, notes


def _relabelled(column: pd.Series, labels: Mapping[str, str]) -> pd.Series:
    """A categorical with each value replaced by its label (several may share one; a value
    without one, ``EU/EEA``'s unit, becomes missing)."""
    new = pd.Index([labels.get(c) for c in column.cat.categories])
    inverse, uniques = pd.factorize(new)  # a value without a label: -1
    mapped = np.append(inverse, -1)[column.cat.codes.to_numpy()]  # code -1: missing
    return pd.Series(
        pd.Categorical.from_codes(mapped, pd.Index(uniques, dtype=object)),
        index=column.index,
    )


# -- SARI patients tested, detections and positivity -------------------------------------------


def _first(bad: np.ndarray, rows: np.ndarray) -> int | None:
    """The row position (``rows``: of each key), first in the file, of the keys ``bad``."""
    return int(rows[bad].min()) if bad.any() else None


def _check_virology(
    frame: pd.DataFrame,
    value: pd.Series,
    indicator: pd.Series,
    key: np.ndarray,
    ref: FileRef,
) -> None:
    """The pathogens' totals (the rows of ``frame``, ``key`` an integer per country, week
    and pathogen): positivity a percent up to 100, detections at most tests, and positivity
    = 100 x detections / tests rounded to one decimal where all three are given (within
    0.05: either rounding of a half passes). The error names the first row that breaks one."""
    numbers = value.to_numpy(dtype=float)
    kind = indicator.astype(str).to_numpy()
    above = (kind == "positivity") & (numbers > 100)
    if above.any():
        pos = int(np.flatnonzero(above)[0])
        msg = f"positivity {numbers[pos]:g} is above 100 %"
        raise cell_error(frame, pos, "value", ref, msg, "a percent from 0 to 100")
    code, n = key, int(key.max(initial=-1)) + 1
    given: dict[str, np.ndarray] = {}
    line: dict[str, np.ndarray] = {}
    for name in INDICATORS:  # three columns of one row per key
        where = kind == name
        given[name] = np.full(n, np.nan)
        given[name][code[where]] = numbers[where]
        line[name] = np.full(n, -1)
        line[name][code[where]] = np.flatnonzero(where)
    tests, found, share = given["tests"], given["detections"], given["positivity"]
    row = _first(found > tests, line["detections"])
    if row is not None:
        k = code[row]
        msg = f"{found[k]:g} detections of {tests[k]:g} tests"
        raise row_error(
            frame, row, ref, msg, column="value", value=str(frame["value"].iloc[row]),
            expected=f"at most the {tests[k]:g} tests of line {line_of(frame, line['tests'][k])}",
        )  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        exact = 100 * found / tests
    known = ~np.isnan(share) & ~np.isnan(found) & ~np.isnan(tests)
    row = _first(known & ~(np.abs(share - exact) <= 0.05 + 1e-9), line["positivity"])
    if row is not None:
        k = code[row]
        if tests[k] == 0:
            msg, expected = (
                "a positivity of 0 tests",
                "no positivity where none was tested",
            )
        else:
            msg = (
                f"positivity {share[k]:g} is not 100 x {found[k]:g} detections / "
                f"{tests[k]:g} tests"
            )
            expected = f"{round(exact[k], 1):g} (rounded to one decimal)"
        raise row_error(
            frame, row, ref, msg, column="value", expected=expected,
            value=str(frame["value"].iloc[row]),
        )  # fmt: skip


def _virology(path: Path, source: Source) -> tuple[pd.DataFrame, list[str]]:
    """The tests, detections and positivity of each pathogen's total, with their notes."""
    name = VIROLOGY.name
    ref = source.file(name)
    columns = ("countryname", "yearweek", "pathogen", "pathogentype", "pathogensubtype",
               "indicator", "age", "value")  # fmt: skip
    frame, region, week, value, aggregate = _read(path, ref, columns, list(columns[:6]))
    pathogen = known_values(frame, "pathogen", tuple(PATHOGENS), ref)
    indicator = known_values(frame, "indicator", tuple(INDICATORS), ref)
    known_values(frame, "age", ("total",), ref)
    counts = (indicator != "positivity").to_numpy(dtype=bool)
    whole_counts(frame, "value", ref, values=value, where=counts)
    # a pathogen's total: its type is the pathogen itself (Influenza A, RSV-B: its parts)
    total = (frame["pathogentype"].astype(str) == pathogen.astype(str)).to_numpy(bool)
    duplicated_rows(
        frame[total], ["countryname", "yearweek", "pathogen", "indicator"], ref
    )
    key = _codes(region[total], frame["yearweek"][total], pathogen[total])
    _check_virology(frame[total], value[total], indicator[total], key, ref)
    keep = total & ~aggregate
    signals = signal_rows(
        frame[keep],
        region_id=region[keep],
        signal=_relabelled(indicator[keep], INDICATORS),
        pathogen=_relabelled(pathogen[keep], PATHOGENS),
        age_group="00+",
        estimate="measured",
        date=week[keep],
        value=value[keep],
    )
    notes = _eu_note(name, aggregate) + _left_out(
        name,
        int((~total & ~aggregate).sum()),
        "of influenza and RSV types and subtypes left out: the totals per pathogen are kept",
    )
    return signals, notes


def parse(paths: Mapping[str, Path], source: Source) -> SourceData:
    """ERVISS's three files: the ILI and ARI rates, the SARI rates and SARI virology."""
    ili, ili_notes = _rates(paths[ILI_ARI.name], source, ILI_ARI)
    sari, sari_notes = _rates(paths[SARI.name], source, SARI)
    virology, virology_notes = _virology(paths[VIROLOGY.name], source)
    parts = [ili, sari, virology]
    for column in ("region_id", "signal", "pathogen", "age_group", "estimate", "unit"):
        # one categorical dtype in every part: the concatenation stays a categorical
        values = [p[column].astype("category") for p in parts]
        labels = sorted(set().union(*(v.cat.categories for v in values)))
        for part, value in zip(parts, values, strict=True):
            part[column] = value.astype(pd.CategoricalDtype(labels))
    return signals_data(parts, ili_notes + sari_notes + virology_notes)


# -- the declaration ---------------------------------------------------------------------------

_WEEKS = "Each ISO week is dated by its Monday."
_DIFFER = (
    "Case definitions, sentinel networks and testing differ between countries: compare a "
    "country with itself. Published on Fridays, 5 days after the week ends; ECDC revises "
    "values retrospectively."
)
_OUTLIERS = f" A rate above {OUTLIER_FACTOR:g} times its series' level is kept as estimate outlier."


def _rate(name: str, title: str, what: str, weeks: int, *, by_country: bool) -> Signal:
    """A signal of rates; ``by_country``: its unit is the country's (:data:`COUNTRIES`)."""
    unit = (
        "Per 100,000 population, but per 100 consultations in Cyprus, Luxembourg and Malta "
        "and per 100,000 consultations in Finland: each row has its unit."
        if by_country
        else "Per 100,000 population."
    )
    return Signal(
        name, title, PER_POPULATION, "week", (ANY,), ("measured", "outlier"),
        f"{what} per week, by age group, in the EU/EEA countries that report them to "
        f"ECDC's ERVISS. {unit} {_WEEKS}",
        _DIFFER + _OUTLIERS, provisional_weeks=weeks,
        other_units=(PER_100_CONSULTATIONS, PER_100K_CONSULTATIONS) if by_country else (),
    )  # fmt: skip


def _virological(name: str, title: str, unit: str, what: str, weeks: int) -> Signal:
    """A signal of SARI patients' tests, per pathogen."""
    return Signal(
        name, title, unit, "week", tuple(PATHOGENS.values()), ("measured",),
        f"{what}, of patients with a severe acute respiratory infection in sentinel "
        "hospitals, for SARS-CoV-2, influenza and RSV (each a total of its types), as "
        f"ERVISS reports them. {_WEEKS}",
        _DIFFER, provisional_weeks=weeks,
    )  # fmt: skip


#: The provisional weeks (the last argument): the newest weeks whose values the weekly
#: releases still revised by more than 10 % in over a quarter of the cases (the guide
#: ecdc-erviss gives the rule and the figures).
_SIGNALS = (
    _rate("ili-rate", "ILI consultations", "Primary-care consultations for "
          "influenza-like illness (ILI)", 0, by_country=True),
    _rate("ari-rate", "ARI consultations", "Primary-care consultations for acute "
          "respiratory infection (ARI)", 0, by_country=True),
    _rate("sari-rate", "SARI hospitalisations", "Hospital admissions with a severe "
          "acute respiratory infection (SARI) in sentinel hospitals", 5,
          by_country=False),
    _virological("sari-tests", "SARI patients tested", "tests per week",
                 "Tests per week", 3),
    _virological("sari-detections", "SARI detections", "detections per week",
                 "Positive tests per week", 5),
    _virological("sari-positivity", "SARI test positivity", "% of tests",
                 "The share of tests that are positive, in percent (100 x detections "
                 "/ tests, to one decimal)", 4),
)  # fmt: skip


ECDC_ERVISS = Source(
    name="ecdc-erviss",
    description="ECDC's European Respiratory Virus Surveillance Summary (ERVISS), EU/EEA "
    "countries: weekly ILI and ARI consultation rates, SARI rates, and SARI tests, "
    "detections and positivity for SARS-CoV-2, influenza and RSV.",
    licence="ECDC data: reuse with attribution to ECDC (ERVISS, erviss.org); repository "
    "EU-ECDC/Respiratory_viruses_weekly_data under EUPL-1.2",
    homepage=_HOME,
    files=(ILI_ARI, SARI, VIROLOGY),
    parse_files=parse,
    interval_days=7,
    area="Europe",
    date_offset_days=6,  # weeks dated by their Monday
    # released on Fridays, 5 days after the Sunday ending the newest week: in 81 of the 82
    # weekly snapshots of ILIARIRates.csv in the repository (2023-11-24 to 2026-05-08) and
    # in all 73 of SARIRates.csv (2024-11-08 to 2026-05-08)
    delay_days=5,
    signals=_SIGNALS,
)
