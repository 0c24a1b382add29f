"""Region names: one display name per region, the upstream spellings kept as aliases.

The real upstream files (``../shared/data``, marker ``realdata``, skipped where absent) are parsed
through each source's public interface; small checks run on the fixture mirror in tests/data, with
a few rows added where the fixtures lack a renamed region. Expected names are written out here,
never taken from the mapping under test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from epicurves.errors import UsageError
from epicurves.sources import SOURCES, Source, SourceData, aliases_of, get_source
from epicurves.sources.base import display_aliases
from epicurves.sources.jhu import DISPLAY_NAMES

#: Region id -> the name people use, for the countries JHU spells otherwise (and a few it
#: already spells so, which must stay).
COUNTRIES = {
    "US": "United States",
    "KR": "South Korea",
    "KP": "North Korea",
    "IR": "Iran",
    "TW": "Taiwan",
    "MM": "Myanmar",
    "CZ": "Czechia",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "CI": "Côte d'Ivoire",
    "VA": "Vatican City",
    "PS": "Palestine",
    "CV": "Cape Verde",
    "TL": "East Timor",
    "ST": "São Tomé and Príncipe",
    "DE": "Germany",
    "RU": "Russia",
}

#: JHU's own spelling of some of them, which search must still find.
JHU_SPELLINGS = {
    "United States": "US",
    "South Korea": "Korea, South",
    "North Korea": "Korea, North",
    "Taiwan": "Taiwan*",
    "Myanmar": "Burma",
    "Democratic Republic of the Congo": "Congo (Kinshasa)",
    "Republic of the Congo": "Congo (Brazzaville)",
    "Côte d'Ivoire": "Cote d'Ivoire",
    "Vatican City": "Holy See",
    "Palestine": "West Bank and Gaza",
    "Cape Verde": "Cabo Verde",
    "East Timor": "Timor-Leste",
    "São Tomé and Príncipe": "Sao Tome and Principe",
}

#: What JHU's spelling conventions put into a name: a footnote star, an inverted "Korea, South",
#: a qualifier in parentheses.
JHU_MARKS = re.compile(r"[*,()]")


def parse(source: Source, folder: Path, suffix: str = "") -> SourceData:
    """Parse ``source`` from a mirror folder (``suffix`` ``.gz`` for the real data)."""
    return source.parse(
        {f.name: folder / f.folder / (f.name + suffix) for f in source.files}
    )


def names(data: SourceData) -> dict[str, str]:
    """Region id -> name."""
    return dict(zip(data.regions["region_id"], data.regions["name"], strict=True))


def assert_unique_names(data: SourceData, source: str) -> None:
    counts = data.regions["name"].value_counts()
    assert counts.max() == 1, (
        f"{source}: names given twice: {list(counts[counts > 1].index)}"
    )


def assert_aliases_fit(data: SourceData, source: Source) -> None:
    """Every alias belongs to a region the source gives, and none is another region's name."""
    shown = set(data.regions["name"])
    for display, aliases in source.aliases.items():
        assert display in shown, (
            f"{source.name}: aliases of {display!r}, a name no region has"
        )
        assert not set(aliases) & shown, (
            f"{source.name}: an alias of {display!r} is a name"
        )


# --- the real upstream files -----------------------------------------------------------------


@pytest.fixture(scope="module")
def real(shared_data: Path) -> Path:
    return shared_data


@pytest.fixture(scope="module")
def real_jhu(real: Path) -> SourceData:
    return parse(get_source("jhu"), real, ".gz")


@pytest.mark.realdata
@pytest.mark.parametrize(("region_id", "name"), sorted(COUNTRIES.items()))
def test_real_jhu_country_names(
    real_jhu: SourceData, region_id: str, name: str
) -> None:
    assert names(real_jhu)[region_id] == name


@pytest.mark.realdata
def test_real_jhu_no_upstream_marks_in_country_names(real_jhu: SourceData) -> None:
    countries = real_jhu.regions[real_jhu.regions["kind"] == "country"]
    assert len(countries) == 197
    marked = [n for n in countries["name"] if JHU_MARKS.search(n)]
    assert marked == []
    assert all(n == n.strip() and n for n in countries["name"])


@pytest.mark.realdata
def test_real_jhu_other_regions_keep_their_names(real_jhu: SourceData) -> None:
    other = real_jhu.regions[real_jhu.regions["kind"] == "other"]
    assert dict(zip(other["region_id"], other["name"], strict=True)) == {
        "JHU-DIAMOND-PRINCESS": "Diamond Princess",
        "JHU-MS-ZAANDAM": "MS Zaandam",
        "JHU-SUMMER-OLYMPICS-2020": "Summer Olympics 2020",
        "JHU-WINTER-OLYMPICS-2022": "Winter Olympics 2022",
    }


@pytest.mark.realdata
def test_real_jhu_names_unique_and_aliases_fit(real_jhu: SourceData) -> None:
    assert_unique_names(real_jhu, "jhu")
    assert_aliases_fit(real_jhu, get_source("jhu"))


@pytest.mark.realdata
def test_real_jhu_every_upstream_spelling_is_kept(
    real: Path, real_jhu: SourceData
) -> None:
    """Each country is found under JHU's spelling: its display name or its first alias."""
    frame = pd.read_csv(
        real / "jhu" / "time_series_covid19_confirmed_global.csv.gz", usecols=[1]
    )
    shown = set(real_jhu.regions.loc[real_jhu.regions["kind"] == "country", "name"])
    kept = shown | {aliases_of("jhu", n)[0] for n in shown if aliases_of("jhu", n)}
    others = {
        "Diamond Princess",
        "MS Zaandam",
        "Summer Olympics 2020",
        "Winter Olympics 2022",
    }
    assert set(frame["Country/Region"]) - kept == others
    # and every renamed spelling is one JHU writes: no stale entries in the mapping
    assert set(DISPLAY_NAMES) <= set(frame["Country/Region"])


@pytest.mark.realdata
def test_real_nyt_names(real: Path) -> None:
    data = parse(get_source("nyt"), real, ".gz")
    shown = names(data)
    assert shown["US"] == "United States"
    assert shown["US-VI"] == "United States Virgin Islands"
    assert shown["US-CA"] == "California"
    assert shown["US-DC"] == "District of Columbia"
    assert len(shown) == 57
    assert_unique_names(data, "nyt")
    assert_aliases_fit(data, get_source("nyt"))


@pytest.mark.realdata
def test_real_germany_names(real: Path) -> None:
    data = parse(get_source("germany"), real, ".gz")
    shown = names(data)
    states = {r: n for r, n in shown.items() if re.fullmatch(r"DE-[A-Z]{2}", r)}
    assert states == {
        "DE-BB": "Brandenburg", "DE-BE": "Berlin", "DE-BW": "Baden-Württemberg",
        "DE-BY": "Bavaria", "DE-HB": "Bremen", "DE-HE": "Hesse", "DE-HH": "Hamburg",
        "DE-MV": "Mecklenburg-Vorpommern", "DE-NI": "Lower Saxony",
        "DE-NW": "North Rhine-Westphalia", "DE-RP": "Rhineland-Palatinate",
        "DE-SH": "Schleswig-Holstein", "DE-SL": "Saarland", "DE-SN": "Saxony",
        "DE-ST": "Saxony-Anhalt", "DE-TH": "Thuringia",
    }  # fmt: skip
    assert shown["DE"] == "Germany"
    assert shown["DE-09162"] == "SK München"  # districts keep their names
    # Berlin the state and Berlin the district (11000) have different names
    assert_unique_names(data, "germany")
    assert_aliases_fit(data, get_source("germany"))


@pytest.mark.realdata
def test_real_rki_national_name(real: Path) -> None:
    assert names(parse(get_source("rki"), real, ".gz")) == {"DE": "Germany"}


# --- the alias interface -----------------------------------------------------------------------


def test_aliases_of_keeps_the_upstream_spelling_first() -> None:
    assert "Korea, South" in aliases_of("jhu", "South Korea")
    for display, upstream in JHU_SPELLINGS.items():
        assert aliases_of("jhu", display)[0] == upstream, display
    assert aliases_of("jhu", "United States") == ("US", "USA")
    assert aliases_of("nyt", "United States") == ("US", "USA")
    assert aliases_of("rki-states", "Bavaria") == ("Bayern",)
    assert aliases_of("germany", "Thuringia") == ("Thüringen",)
    assert aliases_of("jhu-us", "United States Virgin Islands")[0] == "Virgin Islands"


def test_aliases_of_without_aliases() -> None:
    assert aliases_of("jhu", "Germany") == ()
    assert aliases_of("jhu", "Korea, South") == ()  # keyed by display name only
    assert aliases_of("rki-districts", "SK München") == ()
    with pytest.raises(UsageError, match="unknown source"):
        aliases_of("who", "Germany")


def test_every_source_has_read_only_aliases_of_tuples() -> None:
    for source in SOURCES.values():
        assert hash(source) == hash(source)  # still usable as a dict key
        for display, aliases in source.aliases.items():
            assert isinstance(aliases, tuple) and aliases, display
            assert display not in aliases
        with pytest.raises(TypeError):
            source.aliases["X"] = ("Y",)  # type: ignore[index]


def test_display_aliases_puts_upstream_first_once() -> None:
    got = display_aliases(
        {"Korea, South": "South Korea", "Germany": "Germany", "ROK": "South Korea"},
        {"South Korea": ("Korea, South", "Republic of Korea", "South Korea")},
    )
    assert dict(got) == {"South Korea": ("Korea, South", "ROK", "Republic of Korea")}


@pytest.mark.parametrize(
    ("aliases", "problem"),
    [
        ({"Taiwan": "Taiwan*"}, "must be a tuple"),
        ({"Taiwan": ("",)}, "must be a tuple"),
        ({"Niger": ("Congo",), "Republic of the Congo": ("Congo",)}, "given to both"),
        ({"Myanmar": ("Burma",), "Burma": ("Myanmar",)}, "itself a display name"),
    ],
)
def test_source_refuses_bad_aliases(aliases: dict[str, object], problem: str) -> None:
    jhu = get_source("jhu")
    with pytest.raises(ValueError, match=problem):
        Source(
            name="x",
            description="",
            licence="",
            homepage="",
            files=(),
            parse_files=jhu.parse_files,
            aliases=aliases,  # type: ignore[arg-type]
        )


# --- the fixture mirror ------------------------------------------------------------------------


def test_fixture_jhu_names(fixtures: Path) -> None:
    shown = names(parse(get_source("jhu"), fixtures))
    assert (shown["KR"], shown["TW"], shown["US"], shown["DE"]) == (
        "South Korea",
        "Taiwan",
        "United States",
        "Germany",
    )
    assert shown["JHU-DIAMOND-PRINCESS"] == "Diamond Princess"


def test_fixture_jhu_congo_in_parentheses(mirror: Path) -> None:
    """A country JHU qualifies in parentheses: renamed, its id from the lookup table."""
    days = ",".join(str(4 + k) for k in range(12))
    for file in ("confirmed", "deaths"):
        path = mirror / "jhu" / f"time_series_covid19_{file}_global.csv"
        path.write_text(
            path.read_text() + f",Congo (Kinshasa),-4.0383,21.7587,{days}\n"
        )
    lookup = mirror / "jhu" / "UID_ISO_FIPS_LookUp_Table.csv"
    row = "180,CD,COD,180,,,,Congo (Kinshasa),-4.0383,21.7587,Congo (Kinshasa),89561404\r\n"
    lookup.write_bytes(lookup.read_bytes() + row.encode())
    data = parse(get_source("jhu"), mirror)
    cd = data.regions[data.regions["region_id"] == "CD"].iloc[0]
    assert (cd["name"], cd["kind"], int(cd["population"])) == (
        "Democratic Republic of the Congo",
        "country",
        89_561_404,
    )
    assert aliases_of("jhu", cd["name"]) == ("Congo (Kinshasa)", "DR Congo")


def test_fixture_us_states(mirror: Path) -> None:
    nyt = mirror / "nyt" / "us-states.csv"
    nyt.write_text(nyt.read_text() + "\n2021-03-12,Virgin Islands,78,3,0")
    data = parse(get_source("nyt"), mirror)
    shown = names(data)
    assert shown["US-VI"] == "United States Virgin Islands"
    assert (shown["US"], shown["US-CA"], shown["US-PR"]) == (
        "United States",
        "California",
        "Puerto Rico",
    )
    assert_unique_names(data, "nyt")
    us = names(parse(get_source("jhu-us"), mirror))
    assert (us["US-CA"], us["US-AS"]) == ("California", "American Samoa")


def test_fixture_rki_states(fixtures: Path) -> None:
    data = parse(get_source("rki-states"), fixtures)
    assert names(data) == {"DE-BE": "Berlin", "DE-BY": "Bavaria", "DE-HH": "Hamburg"}
    assert aliases_of("rki-states", "Hamburg") == ()


def test_fixture_germany_states(fixtures: Path) -> None:
    shown = names(parse(get_source("germany"), fixtures))
    assert (shown["DE-BY"], shown["DE-SH"], shown["DE-09162"]) == (
        "Bavaria",
        "Schleswig-Holstein",
        "SK München",
    )
