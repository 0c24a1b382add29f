"""Fuzzing the parsers (issue 10): mutated upstream files fail only with epicurves' own errors.

Every source's files are mutated with hypothesis, from two kinds of start: the fixtures in
``tests/data`` and, where ``../shared/data`` holds all the source's files, a block of lines of
the real files (a few rows, and for the wide JHU tables a few date columns, so that one parse
takes milliseconds). The mutations are what a broken download or a changed upstream format
does to a CSV file: lines deleted, repeated, swapped, joined or cut; cells deleted, repeated,
swapped or replaced (quotes, commas, semicolons, non-ASCII, a BOM, NUL, huge and negative
numbers, impossible dates, HTML); a column swapped or dropped; a digit changed; the header
renamed; random bytes inserted; the file cut, gzip-compressed or cut after compressing; or
the whole file replaced by random bytes.

Two properties:

* :func:`test_parse_raises_only_epicurves_errors`: ``source.parse`` either returns or raises
  an :class:`~epicurves.errors.EpicurvesError`; any other exception escaping is a bug.
* :func:`test_refused_update_writes_nothing`: the full ``epicurves.update`` path, into a home
  filled from the clean fixtures: a refused source (status ``failed``) leaves every file of
  the store byte-identical (``checked.json`` aside, which records the failed attempt).

Inputs found by the fuzzer to escape are kept in :data:`REPRODUCERS` and checked by
:func:`test_known_reproducers` (through ``parse`` and ``update``): they fail until the parser
is fixed. The runs are deterministic (``derandomize=True``, no example database); set
``EPICURVES_FUZZ_SCALE=10`` to run ten times as many examples locally.

The clean inputs are made in :mod:`fuzz_bases`, the mutations in :mod:`fuzz_mutations`.
"""

from __future__ import annotations

import collections
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from epicurves import Settings, update
from epicurves.errors import EpicurvesError

from .fuzz_bases import FIXTURES, NAMES, SHARED_DATA, _parse, _write, bases
from .fuzz_mutations import broken_input

pytestmark = pytest.mark.faults

#: Multiplies the number of examples (CI: 1).
SCALE = float(os.environ.get("EPICURVES_FUZZ_SCALE", "1"))
#: Examples per source: parse-level (cheap) and through ``update`` (a store each).
PARSE_EXAMPLES = max(1, round(100 * SCALE))
UPDATE_EXAMPLES = max(1, round(25 * SCALE))
#: Shrink a failing example (slow: minutes when a parser has bugs); off in CI, where the
#: failing input is printed as it was found, and the minimal ones are in REPRODUCERS.
SHRINK = os.environ.get("EPICURVES_FUZZ_SHRINK", "") not in ("", "0")


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if SHRINK else [])],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


#: Examples run, by (test, source, outcome); printed at the end of the module.
EXAMPLES: collections.Counter[tuple[str, str, str]] = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def _count_examples(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print how many examples ran, per test and source, once the module is done."""
    yield
    if not EXAMPLES:
        return
    by_test: dict[str, collections.Counter[str]] = {}
    for (test, source, outcome), n in sorted(EXAMPLES.items()):
        by_test.setdefault(f"{test}[{source}]", collections.Counter())[outcome] += n
    lines = [
        f"  {key}: {sum(c.values())} ({', '.join(f'{o} {n}' for o, n in sorted(c.items()))})"
        for key, c in by_test.items()
    ]
    total = sum(EXAMPLES.values())
    text = "\n".join([f"fuzz examples run: {total}", *lines])
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(text)


# -- the store, filled from the clean fixtures -----------------------------------------------
@pytest.fixture(scope="module")
def prefilled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose store holds every source, updated from the clean fixtures."""
    home = tmp_path_factory.mktemp("fuzz") / "home"
    report = update(Settings(home=home, mirror=FIXTURES), list(NAMES))
    assert {s.status for s in report.sources} == {"updated"}, report.sources
    return home


def _snapshot(home: Path) -> dict[str, bytes]:
    """Every file of the home by relative path, but ``store/checked.json`` (it records each
    attempt, failed ones too)."""
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != "checked.json"
    }


def _update(home_template: Path, name: str, files: dict[str, bytes]) -> str:
    """Run ``update`` of ``name`` on a copy of the filled home with these files in the mirror;
    a refusal must leave the store as it was. Gives the source's status."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(home_template, home)
        mirror = Path(tmp) / "mirror"
        _write(mirror, name, files)
        before = _snapshot(home)
        report = update(Settings(home=home, mirror=mirror), [name])
        (item,) = report.sources
        if item.status == "failed":
            assert isinstance(item.error, EpicurvesError)
            after = _snapshot(home)
            assert sorted(after) == sorted(before), (
                "a refused update added or removed files"
            )
            changed = [k for k in before if before[k] != after[k]]
            assert not changed, f"a refused update changed {changed}"
        else:
            assert item.status in ("updated", "unchanged"), item
        return item.status


# -- the properties --------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
@_settings(PARSE_EXAMPLES)
@given(data=st.data())
def test_parse_raises_only_epicurves_errors(name: str, data: st.DataObject) -> None:
    """A mutated file is parsed or refused with an EpicurvesError, never another exception."""
    _, _, _, files = broken_input(data, name)
    outcome = _parse(name, files)
    EXAMPLES["parse", name, outcome] += 1


@pytest.mark.parametrize("name", NAMES)
@_settings(UPDATE_EXAMPLES)
@given(data=st.data())
def test_refused_update_writes_nothing(
    name: str, data: st.DataObject, prefilled: Path
) -> None:
    """Through ``update``: no exception but EpicurvesError escapes, and a source that fails
    leaves the store byte-identical."""
    _, _, _, files = broken_input(data, name)
    outcome = _update(prefilled, name, files)
    EXAMPLES["update", name, outcome] += 1


def test_clean_bases_parse() -> None:
    """The fuzzer's starting points are accepted as they are, so that mutations reach past
    the first check (the real ones only where ../shared/data holds every file)."""
    for name in NAMES:
        for base, files in bases(name).items():
            assert _parse(name, files) == "accepted", (name, base)


# -- escaping inputs the fuzzer found --------------------------------------------------------
#: (id, source, base, file, bytes of that file): each escaped with another exception than
#: EpicurvesError when found. They fail until the parser is fixed.
#: Found with this module; minimised by hand.
REPRODUCERS: list[tuple[str, str, str, str, bytes]] = [
    # A first data row with one field more than the header: pandas makes the first column
    # the index (read_csv in sources/base.py does not pass index_col=False), the columns
    # shift, and the ParseError's line number cannot be made: line_of (base.py:434) does
    # int("2021-03-01") -> ValueError.
    (
        "nyt-extra-field-index",
        "nyt",
        "fixture",
        "us-states.csv",
        b"date,state,fips,cases,deaths\n2021-03-01,X,06,1,1,1\n",
    ),
    # Two fields more: a MultiIndex; int(tuple) in line_of -> TypeError.
    (
        "nyt-extra-fields-multiindex",
        "nyt",
        "fixture",
        "us-states.csv",
        b"date,state,fips,cases,deaths\n2021-03-01,X,06,1,1,1,1\n2021-03-01,X,06,1,1,1,1\n",
    ),
    # The same through rki's deaths file (date_column, base.py:503 -> line_of).
    (
        "rki-deaths-extra-field",
        "rki",
        "fixture",
        "COVID-19-Todesfaelle_Deutschland.csv",
        b"Berichtsdatum,Todesfaelle_gesamt\n2021-03-04,1,1\n",
    ),
    # An empty first cell becomes a missing index value: int(<NA>) -> TypeError.
    (
        "rki-districts-extra-field-na-index",
        "rki-districts",
        "fixture",
        "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv",
        b"Meldedatum,Landkreis_id,Bevoelkerung,Faelle_gesamt\n,09162,1,1,1\n",
    ),
    # Two header names equal once stripped: read_csv (base.py) strips the names after
    # pandas has told duplicates apart, so frame[name] is a DataFrame, not a Series:
    # AttributeError "'DataFrame' object has no attribute 'dtype'" in wide_counts
    # (base.py:552), "... 'str'" in integer_column (base.py:452) and read_names
    # (rki.py:297), ValueError "cannot assemble with duplicate keys" in to_dates
    # (base.py:487).
    (
        "germany-duplicate-district-column",
        "germany",
        "fixture",
        "cases-rki-by-ags.csv",
        b"time_iso8601,1001, 1001\n2021-03-01T17:00:00+0000,1,1\n",
    ),
    (
        "nyt-duplicate-count-column",
        "nyt",
        "fixture",
        "us-states.csv",
        b"date,state,fips,cases,deaths, deaths\n2021-03-01,California,06,1,1,1\n",
    ),
    (
        "nyt-duplicate-date-column",
        "nyt",
        "fixture",
        "us-states.csv",
        b"date, date,state,fips,cases,deaths\n2021-03-01,2021-03-01,California,06,1,1\n",
    ),
    (
        "rki-deaths-duplicate-count-column",
        "rki",
        "fixture",
        "COVID-19-Todesfaelle_Deutschland.csv",
        b"Berichtsdatum,Todesfaelle_gesamt, Todesfaelle_gesamt\n2021-03-04,1,1\n",
    ),
    (
        "rki-districts-duplicate-name-column",
        "rki-districts",
        "fixture",
        "RKI_Corona_Landkreise.csv",
        b"RS,county, county\n09162,SK M,x\n",
    ),
    # "inf" (or 1E400) passes wide_counts (inf == round(inf), not < 0), then the Int64
    # conversion fails: OverflowError "cannot convert float infinity to integer" in _long
    # (jhu.py:188) and in germany.parse (germany.py:187).
    (
        "jhu-us-infinite-count",
        "jhu-us",
        "fixture",
        "time_series_covid19_confirmed_US.csv",
        b"UID,Admin2,Province_State,Country_Region,Combined_Key,3/1/21\n1,,California,US,x,inf\n",
    ),
    (
        "germany-infinite-count",
        "germany",
        "fixture",
        "cases-rki-by-ags.csv",
        b"time_iso8601,1001\n2021-03-01T17:00:00+0000,inf\n",
    ),
    # A whole number beyond int64 (9 * 30, 1e19, 1e300) passes wide_counts, then
    # TypeError "cannot safely cast non-equivalent float64 to int64" (jhu.py:188).
    (
        "jhu-count-beyond-int64",
        "jhu",
        "fixture",
        "time_series_covid19_confirmed_global.csv",
        b"Province/State,Country/Region,Lat,Long,3/1/21\n,Denmark,1,1,1e19\n",
    ),
    # A bare CR inside the header or the last line: csv.Error "new-line character seen in
    # unquoted field" from csv.reader in _short_last_line (base.py, new and uncommitted in
    # the working tree when found), called by read_csv after pandas read the file.
    (
        "nyt-bare-cr-in-last-line",
        "nyt",
        "fixture",
        "us-states.csv",
        b"date,state,fips,cases,deaths\n2021-03-01,California,06,1,\r1\n",
    ),
    (
        "nyt-bare-cr-in-header",
        "nyt",
        "fixture",
        "us-states.csv",
        b"date,state,fips,cases,\rdeaths\n2021-03-01,California,06,1,1\n",
    ),
    # Only rows of unknown fips: nothing left, and pd.date_range(NaT, NaT) in nyt.py:77
    # raises ValueError "Neither `start` nor `end` can be NaT".
    (
        "nyt-no-known-state",
        "nyt",
        "fixture",
        "us-states.csv",
        b"date,state,fips,cases,deaths\n2021-03-01,X,99,1,1\n",
    ),
]


@pytest.mark.parametrize(
    ("source", "base", "file", "content"),
    [pytest.param(*case[1:], id=case[0]) for case in REPRODUCERS],
)
def test_known_reproducers(
    source: str, base: str, file: str, content: bytes, prefilled: Path
) -> None:
    """Each input found to escape is refused with an EpicurvesError (or parsed), through
    ``parse`` and through ``update`` (which then writes nothing)."""
    choices = bases(source)
    if base not in choices:
        pytest.skip(f"the real files of {source} are not in {SHARED_DATA}")
    files = {**choices[base], file: content}
    _parse(source, files)
    _update(prefilled, source, files)
