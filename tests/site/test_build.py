"""The static site: page contexts, the build (pages, links, escaping, downloads) and the server."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import epicurves
from conftest import ATTACK as EVIL
from conftest import check_internal_links
from epicurves.site import pages, payload
from epicurves.site.build import build_site
from epicurves.site.serve import make_server


@pytest.fixture(scope="module")
def site(attacked_site: tuple[epicurves.Settings, Path]) -> Path:
    """The site built from the fixture mirror, with an attack in a district's name."""
    settings, out = attacked_site
    assert len(list(out.glob("region/*/index.html"))) == len(
        epicurves.load_regions(settings=settings)
    )
    return out


def _html(site: Path) -> Iterator[Path]:
    return site.rglob("*.html")


def test_every_page_exists(site: Path) -> None:
    for path in ("index.html", "regions/index.html", "countries/index.html", "germany/index.html",
                 "us/index.html", "compare/index.html", "articles/index.html", "analysis/index.html",
                 "about/index.html", "region/DE/index.html", "region/DE-09162/index.html",
                 "region/US-CA/index.html", "data/DE.js", "data/DE.inc.js", "maps/index.html",
                 "maps/us/index.html", "maps/germany/index.html",
                 "maps/districts/index.html"):  # fmt: skip
        assert (site / path).is_file(), path


def test_no_broken_internal_link(site: Path) -> None:
    assert check_internal_links(site) > 500


def test_nothing_comes_from_another_host(site: Path) -> None:
    for page in _html(site):
        text = page.read_text("utf-8")
        for match in re.finditer(r'(?:src|href)="(https?:)?//([^"/]+)', text):
            assert match.group(0).startswith('href="'), (
                f"{page}: {match.group(0)} loads from another host"
            )


def test_region_names_are_escaped(site: Path) -> None:
    for page in ("region/DE-09162/index.html", "germany/index.html", "regions/index.html",
                 "region/DE-BY/index.html", "compare/index.html"):  # fmt: skip
        text = (site / page).read_text("utf-8")
        assert "alert" in text, page
        assert EVIL not in text, page
        assert '<script>alert("x")' not in text, page
    # data in scripts: < and > escaped, inside the page (peer names) and in the data files
    for path in ("region/DE-09175/index.html", "compare/index.html", "data/DE-09162.js",
                 "data/DE-09162.inc.js"):  # fmt: skip
        text = (site / path).read_text("utf-8")
        assert "\\u003cscript\\u003e" in text, path
        assert "<script>alert" not in text, path
    assert (
        payload.decode((site / "data/DE-09162.js").read_text("utf-8"))[1]["name"]
        == EVIL
    )


def test_region_data_stored_once_compact(site: Path) -> None:
    """Each region's series are in its two data scripts, not in its page."""
    text = (site / "region/DE-09175/index.html").read_text("utf-8")
    assert "DE-BY" in text  # breadcrumb to the parent state
    assert "incidence_7d" not in text and "new_cases_7d_mean" not in text
    key, data = payload.decode((site / "data/DE-09175.js").read_text("utf-8"))
    inc_key, inc = payload.decode((site / "data/DE-09175.inc.js").read_text("utf-8"))
    assert (key, inc_key) == ("DE-09175", "DE-09175.inc")
    assert data["region_id"] == inc["region_id"] == "DE-09175"
    assert set(inc["series"]) == {"incidence_7d"}
    assert "incidence_7d" not in data["series"]
    assert set(data["series"]) <= set(payload.SERIES)
    assert (
        len(data["dates"])
        == len(data["series"]["new_cases"])
        == len(inc["series"]["incidence_7d"])
    )
    assert data["dates"][0] == data["start"]
    assert data["vintage"] == data["dates"][-1]
    assert not list(site.glob("data/*.json")) and not list(site.glob("data/*.csv"))


def test_data_scripts_hold_the_metrics(
    site: Path, attacked_site: tuple[epicurves.Settings, Path]
) -> None:
    """The numbers of a data script are the metrics, rounded as the page shows them."""
    import numpy as np

    settings = attacked_site[0]
    metrics = epicurves.load_metrics(["DE-09175"], settings=settings)
    _, data = payload.decode((site / "data/DE-09175.js").read_text("utf-8"))
    _, inc = payload.decode((site / "data/DE-09175.inc.js").read_text("utf-8"))
    assert len(metrics) == data["days"]
    assert metrics["date"].dt.strftime("%Y-%m-%d").tolist() == data["dates"]
    series = data["series"] | inc["series"]
    for name, decimals in payload.SERIES.items():
        expected = metrics[name].to_numpy(dtype=float, na_value=np.nan)
        got = np.array(
            [
                np.nan if v is None else v
                for v in series.get(name, [None] * len(metrics))
            ],
            dtype=float,
        )
        rounded = np.round(expected, 0 if decimals is None else decimals)
        assert np.array_equal(np.isnan(rounded), np.isnan(got)), name
        assert np.allclose(rounded[~np.isnan(got)], got[~np.isnan(got)]), name


def test_region_page_weight(site: Path) -> None:
    for page in site.glob("region/*/index.html"):
        region = page.parent.name
        weight = sum(
            len(gzip.compress(p.read_bytes()))
            for p in (
                page,
                site / f"data/{region}.js",
                site / f"data/{region}.inc.js",
                site / f"data/{region}.sig.js",
            )
            if p.is_file()
        )
        assert weight <= 60_000, page


def test_tables_have_oscovida_columns(site: Path) -> None:
    text = (site / "countries/index.html").read_text("utf-8")
    for column in ("Location", "Total cases", "Total deaths", "New cases last week",
                   "7-day incidence", "Population", "Cases in last 7 days"):  # fmt: skip
        assert f"<th>{column}</th>" in text
    assert 'data-page-length="25"' in text


def test_incidence_rows_highlighted_above_threshold() -> None:
    import pandas as pd

    summary = pd.DataFrame({"region_id": ["A", "B"], "name": ["A", "B"], "kind": "district",
                            "parent": "DE-BY", "population": [1000, 1000],
                            "new_cases_last_week": [1, 0], "incidence_7d": [50.0, 49.9]})  # fmt: skip
    rows = pages.incidence_table(summary, {"DE-BY": "Bayern"}, threshold=50)
    assert [r["highlight"] for r in rows] == [True, False]
    assert rows[0]["context"] == "Bayern"
    assert rows[0]["cells"][2]["text"] == "50.0"


@pytest.fixture
def server(site: Path) -> Iterator[tuple[str, int]]:
    httpd = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[0], httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def _request(address: tuple[str, int], method: str, path: str) -> int:
    connection = http.client.HTTPConnection(*address, timeout=5)
    connection.request(method, path)
    status = connection.getresponse().status
    connection.close()
    return status


def test_server_is_read_only_and_stays_in_the_folder(
    server: tuple[str, int], site: Path
) -> None:
    assert server[0] == "127.0.0.1"
    assert _request(server, "GET", "/index.html") == 200
    assert _request(server, "HEAD", "/region/DE/index.html") == 200
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"):
        assert _request(server, method, "/index.html") == 405, method
    assert _request(server, "GET", "/static/") == 404  # no listing
    (site.parent / "secret.txt").write_text("secret")
    assert _request(server, "GET", "/../secret.txt") == 404
    assert _request(server, "GET", "/%2e%2e/secret.txt") == 404
    (site / "link").symlink_to(site.parent)
    try:
        assert _request(server, "GET", "/link/secret.txt") == 404
    finally:
        (site / "link").unlink()


def test_server_errors_are_one_line_and_a_client_gone_is_none(
    capsys: pytest.CaptureFixture[str], site: Path
) -> None:
    """A browser that closes mid-answer prints nothing; another failure one line, not the
    traceback socketserver prints by default."""
    httpd = make_server(site, "127.0.0.1", 0)
    try:
        for error in (
            BrokenPipeError(32, "Broken pipe"),
            ConnectionResetError(104, "reset"),
        ):
            try:
                raise error
            except OSError:
                httpd.handle_error(None, ("127.0.0.1", 5))
        assert capsys.readouterr().err == ""
        try:
            raise PermissionError(13, "Permission denied", "index.html")
        except OSError:
            httpd.handle_error(None, ("127.0.0.1", 5))
        err = capsys.readouterr().err
        assert err == (
            "serve: a request from 127.0.0.1 failed: [Errno 13] Permission denied: "
            "'index.html'\n"
        )
    finally:
        httpd.server_close()


def test_server_sends_the_policy_and_the_right_types(server: tuple[str, int]) -> None:
    from epicurves.site.pages import CSP

    expected = {
        "/index.html": "text/html; charset=utf-8",
        "/region/DE/index.html": "text/html; charset=utf-8",
        "/data/DE.js": "text/javascript; charset=utf-8",
        "/status.json": "application/json",
        "/notebooks/DE.ipynb": "application/x-ipynb+json",
    }
    for path, kind in expected.items():
        connection = http.client.HTTPConnection(*server, timeout=5)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, path
        assert response.getheader("Content-Type") == kind, path
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        assert response.getheader("Referrer-Policy") == "no-referrer"
        policy = response.getheader("Content-Security-Policy")
        assert policy == CSP + "; frame-ancestors 'none'"
        assert "script-src 'self';" in policy and "unsafe-eval" not in policy
        connection.close()
    connection = http.client.HTTPConnection(*server, timeout=5)
    connection.request("POST", "/index.html")
    response = connection.getresponse()
    assert (response.status, response.getheader("Allow")) == (405, "GET, HEAD")
    connection.close()


class Scripts(HTMLParser):
    """The page's policy <meta>, its <script> tags and any on... handler attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.policy: list[str | None] = []
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.policy.append(values.get("content"))
        if tag == "script":
            self.scripts.append(values)
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]


def test_pages_carry_the_policy_and_no_inline_script(site: Path) -> None:
    """Every page has the policy as a <meta>; its scripts are files of the site or JSON, and
    no element has an event handler attribute."""
    from epicurves.site.pages import CSP

    pages = list(_html(site))
    assert len(pages) > 20
    for page in pages:
        parser = Scripts()
        parser.feed(page.read_text("utf-8"))
        assert parser.policy == [CSP], page
        for script in parser.scripts:
            assert script.get("src") or script.get("type") == "application/json", page
        assert parser.handlers == [], page


def test_a_failed_build_keeps_the_old_site(tmp_path: Path, site: Path) -> None:
    empty = epicurves.Settings(home=tmp_path / "empty")
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    with pytest.raises(epicurves.StoreError):
        build_site(empty, site)
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


@pytest.mark.realdata
def test_real_site_pages_and_weight(real_site: tuple[epicurves.Settings, Path]) -> None:
    settings, site = real_site
    pages = list(site.glob("region/*/index.html"))
    assert len(pages) == len(epicurves.load_regions(settings=settings)) == 686
    sizes = {
        p.parent.name: sum(
            len(gzip.compress(f.read_bytes()))
            for f in (
                p,
                site / f"data/{p.parent.name}.js",
                site / f"data/{p.parent.name}.inc.js",
                site / f"data/{p.parent.name}.sig.js",
            )
            if f.is_file()
        )
        for p in pages
    }
    # a region page with its data, gzipped (as served): at most 60 KB
    assert max(sizes.values()) <= 60_000, max(sizes.items(), key=lambda kv: kv[1])
    # the whole site, notebooks included: at most 60 MB (180 MB when each region's numbers
    # were in its page, a JSON and a CSV file)
    total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    print(
        f"site: {total / 1e6:.1f} MB; largest region page with its data: {max(sizes.values())} bytes gz"
    )
    assert (
        site / "data/DE.sig.js"
    ).is_file()  # Germany's signals are in what is weighed
    assert total <= 60_000_000, total


def test_real_site_latest_days_show_r_also_where_the_data_script_leaves_it_out(
    real_site: tuple[epicurves.Settings, Path],
) -> None:
    settings, site = real_site
    text = (site / "data/DE.js").read_text("utf-8")
    # R is derived in the browser: not in the data script
    assert re.search(r'"derived":\[[^\]]*"r_rki"', text) and '"r_rki":[' not in text
    metrics = epicurves.load_metrics(["DE"], settings=settings).set_index("date")
    html = (site / "region/DE/index.html").read_text("utf-8")
    table = html[
        html.index('id="latest"') : html.index("</table>", html.index('id="latest"'))
    ]
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td>(.*?)</tr>", table)
    shown = {
        day: re.findall(r'<td class="num">([^<]*)</td>', cells)[-1]
        for day, cells in rows
    }
    assert len(shown) == 28
    expected = {
        day: "" if pd.isna(r) else f"{r:.2f}"
        for day, r in metrics.loc[list(shown), "r_rki"].items()
        for day in [str(day.date())]
    }
    assert shown == expected
    assert any(shown.values())  # R is there on the days it has a value


def test_summary_rows_link_and_format() -> None:
    import pandas as pd

    summary = pd.DataFrame({"region_id": ["DE-BY"], "name": [EVIL], "kind": "state", "parent": "DE",
                            "total_cases": [1234567], "total_deaths": [pd.NA], "new_cases_last_week": [700.0],
                            "incidence_7d": [5.33], "week_change_pct": [-12.4], "r_rki": [0.91],
                            "r_cori": [float("nan")]})  # fmt: skip
    (row,) = pages.summary_table(
        summary, {"DE-BY": [1.0, 2.0, float("nan"), 4.0]}, {"DE": "Germany"}
    )
    assert row["href"] == "region/DE-BY/index.html"
    assert row["name"] == EVIL  # plain text here: the template escapes it
    assert row["context"] == "Germany"
    texts = [c["text"] for c in row["cells"]]
    assert texts == [
        "1,234,567",
        "",
        "700",
        "5.3",
        "-12 %",
        "0.91",
    ]  # R falls back to RKI's
    assert row["cells"][1]["order"] == "-1e300"  # missing sorts last
    assert row["spark"].count(",") == 3  # three known weeks drawn


def test_biggest_rises_rank_live_regions_first_and_mark_frozen_ones() -> None:
    from epicurves.changes import RegionState
    from epicurves.site.collections import SiteView, _rises

    def summary(region: str, change: float, last: str) -> dict[str, object]:
        return {"region_id": region, "name": region, "new_cases_last_week": 500,
                "week_change_pct": change, "last_date": last}  # fmt: skip

    states = {
        "FR": RegionState("jhu", "d", "FR", "country", None, 1, ("jhu",)),
        "DE-BY": RegionState(
            "rki-states", "d", "DE-BY", "state", "DE", 1, ("rki-states",)
        ),
        "DE-BE": RegionState(
            "rki-states", "d", "DE-BE", "state", "DE", 1, ("rki-states",)
        ),
    }
    view = SiteView(
        states,
        {
            "FR": summary("FR", 300.0, "2023-03-09"),
            "DE-BY": summary("DE-BY", 5.0, "2026-08-22"),
            "DE-BE": summary("DE-BE", 20.0, "2026-08-22"),
        },
        {},
    )
    rises = _rises(view)
    assert [(r["name"], r["status"]) for r in rises] == [
        ("DE-BE", "live"), ("DE-BY", "live"), ("FR", "frozen")
    ]  # fmt: skip


def test_home_says_which_sources_are_live_and_which_frozen(site: Path) -> None:
    text = (site / "index.html").read_text("utf-8")
    live = text[
        text.index("<strong>Live</strong>") : text.index("<strong>Frozen</strong>")
    ]
    frozen = text[
        text.index("<strong>Frozen</strong>") : text.index("Maps and rankings")
    ]
    assert "rki-districts" in live and "jhu" not in live
    assert "jhu" in frozen and "nyt" in frozen and "rki" not in frozen
    assert not re.search(r"\.<strong>|\)\.Maps", text)  # sentences keep their spaces


def test_chart_and_map_colours_have_3_to_1_contrast() -> None:
    """Lines of the charts, the incidence levels, compare's lines and the map's classes are
    graphics people must see: WCAG AA asks 3:1 against the chart's background."""
    from epicurves.charts import spec
    from epicurves.charts.layouts.region import chart_item
    from epicurves.charts.layouts.signals import signal_items
    from epicurves.site import maps

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    background = spec.COLOURS["background"]
    text = json.dumps(chart_item()) + json.dumps(signal_items())
    lines = set(
        re.findall(
            r'"line_color":\s*(?:\{"type":"value","value":)?"(#[0-9a-fA-F]{6})"', text
        )
    )
    assert len(lines) >= 5
    colours = {
        *lines,
        *(c for _, c in spec.LEVEL_COLOURS),
        *maps.MAP_COLOURS,
        spec.MAP_NO_DATA,
        *spec.COMPARE_COLOURS,
    }
    low = {
        c: round(contrast(c, background), 2)
        for c in colours
        if contrast(c, background) < 3
    }
    assert low == {}


def test_data_scripts_round_trip_any_pattern_of_missing_values() -> None:
    """Regions with leading, trailing and inner gaps, series without any value, negative
    fractions: decoding a data script gives back the rounded metrics, for every region."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    frames, regions = [], []
    for number, days in enumerate((1, 9, 30, 2, 17)):
        region = f"R{number}"
        dates = pd.date_range("2021-01-01", periods=days, freq="D") + pd.Timedelta(
            days=number
        )
        frame = pd.DataFrame(
            {"source": "s", "region_id": region, "date": dates, "flags": ""}
        )
        for column in ("cases", "deaths", *payload.SERIES):
            values = rng.normal(0, 3, days)
            values[rng.random(days) < 0.4] = np.nan
            if column == "r_rki" and number in (1, 3):
                values[:] = np.nan  # a series without any value
            frame[column] = values
        frames.append(frame)
        regions.append({"region_id": region, "name": f"<{region}>", "kind": "country",
                        "parent": None, "population": 1000, "source": "s"})  # fmt: skip
    metrics = pd.concat(frames, ignore_index=True)
    files = payload.region_files(metrics, pd.DataFrame(regions), provisional_days=3)
    for frame in frames:
        region = str(frame["region_id"].iloc[0])
        _, data = payload.decode(files[region].data)
        _, inc = payload.decode(files[region].inc)
        assert data["name"] == inc["name"] == f"<{region}>"
        series = data["series"] | inc["series"]
        for name, decimals in payload.SERIES.items():
            expected = np.round(
                frame[name].to_numpy(), 0 if decimals is None else decimals
            )
            got = series.get(name)
            if np.isnan(expected).all():
                assert got is None, (region, name)
                continue
            assert got is not None and len(got) == len(frame), (region, name)
            got_array = np.array([np.nan if v is None else v for v in got], dtype=float)
            assert np.array_equal(np.isnan(got_array), np.isnan(expected)), (
                region,
                name,
            )
            assert np.allclose(
                got_array[~np.isnan(got_array)], expected[~np.isnan(expected)]
            )
        # fractions are written without their leading zero: .5, -.25
        assert not re.search(r"[\[,]-?0\.", files[region].data.split('"series"')[1])


# -- the surveillance signals ----------------------------------------------------------------
SIGNAL_REGIONS = ("DE", *(f"DE-{s}" for s in (
    "SH", "HH", "NI", "HB", "NW", "HE", "RP", "BW", "BY", "SL", "BE", "BB", "MV", "SN", "ST", "TH",
)))  # fmt: skip


def _check_signal_scripts(settings: epicurves.Settings, site: Path) -> set[str]:
    """Every signal data script decodes back to the stored values of the charted signals,
    at the kept precision; returns the regions that have one."""
    import numpy as np

    from epicurves.site import signals as site_signals

    charted = {c.signal: c for c in site_signals.SIGNAL_CHARTS}
    charted |= {c.counts: c for c in site_signals.SIGNAL_CHARTS if c.counts}
    stored = epicurves.load_signals(settings=settings)
    stored = stored[stored["signal"].isin(list(charted))]
    stored = stored[
        [e in charted[s].estimates and (not charted[s].ages or a in charted[s].ages)
         for s, e, a in zip(stored["signal"], stored["estimate"], stored["age_group"], strict=True)]
    ]  # fmt: skip
    # the values as the scripts keep them (None where missing), each signal at once
    kept = {}
    for column in ("value", "lo", "hi"):
        values = stored[column].to_numpy(dtype=float).copy()
        for signal in stored["signal"].unique():
            rows = (stored["signal"] == signal).to_numpy()
            values[rows] = site_signals.kept_values(values[rows], str(signal))
        kept[column] = [None if np.isnan(v) else v for v in values.tolist()]
    keys = list(zip(
        stored["region_id"].astype(str), stored["signal"].astype(str),
        stored["pathogen"].astype(str), stored["age_group"].astype(str),
        stored["estimate"].astype(str), stored["date"].dt.strftime("%Y-%m-%d"),
        strict=True,
    ))  # fmt: skip
    expected_of: dict[str, dict[tuple[str, ...], tuple[float | None, ...]]] = {}
    for key, value, lo, hi in zip(
        keys, kept["value"], kept["lo"], kept["hi"], strict=True
    ):
        expected_of.setdefault(key[0], {})[key[1:]] = (value, lo, hi)
    have = set()
    for path in site.glob("data/*.sig.js"):
        region = path.name.removesuffix(".sig.js")
        have.add(region)
        key, series = site_signals.decode_signals(path.read_text("utf-8"))
        assert key == f"{region}.sig"
        got = {}
        for s in series:
            for date, value, lo, hi in zip(
                s["dates"], s["values"], s.get("lo", [None] * len(s["dates"])),
                s.get("hi", [None] * len(s["dates"])), strict=True,
            ):  # fmt: skip
                if value is not None:
                    got[(s["signal"], s["pathogen"], s["age_group"], s["estimate"], date)] = (value, lo, hi)  # fmt: skip
        expected = expected_of.get(region, {})
        assert got == expected, region
    return have


def test_signal_sections_and_scripts(
    signal_site: tuple[epicurves.Settings, Path],
) -> None:
    settings, site = signal_site
    have = _check_signal_scripts(settings, site)
    assert "DE" in have
    for region in have:
        text = (site / f"region/{region}/index.html").read_text("utf-8")
        assert 'id="surveillance"' in text, region
        assert f'src="../../data/{region}.sig.js"' in text
        assert 'id="signals-config" type="application/json"' in text
    # pages of regions without signals have no section and no signal script
    text = (site / "region/DK/index.html").read_text("utf-8")
    assert "surveillance" not in text and not (site / "data/DK.sig.js").exists()
    de = (site / "region/DE/index.html").read_text("utf-8")
    for anchor in ("sig-wastewater", "sig-hospitalisation", "sig-deaths-weekly"):
        assert f'id="{anchor}"' in de, anchor
    home = (site / "index.html").read_text("utf-8")
    assert "Germany today" in home
    assert 'href="region/DE/index.html#sig-' in home
    assert check_internal_links(site) > 500


def test_an_unchanged_store_rewrites_no_signal_file(
    signal_site: tuple[epicurves.Settings, Path],
) -> None:
    settings, site = signal_site
    report = build_site(settings, site)
    assert report.files_written <= 2  # the home page and status.json
    assert (site / "data/DE.sig.js").is_file()


def test_signal_scripts_escape_upstream_text() -> None:
    import pandas as pd

    from epicurves.site import signals as site_signals

    frame = pd.DataFrame({
        "region_id": "DE", "signal": "wastewater", "pathogen": EVIL, "age_group": "00+",
        "estimate": ["measured", "smoothed"], "date": pd.Timestamp("2024-01-03"),
        "value": [1234.5, 0.0312], "lo": [float("nan"), 0.01], "hi": [float("nan"), 0.05],
        "unit": "genome copies/L", "resolution": "week", "source": "rki-wastewater",
    })  # fmt: skip
    files = site_signals.signal_files(frame)
    text = files["DE"].data
    assert "<" not in text and ">" not in text and "&" not in text.split("=", 1)[1]
    _, series = site_signals.decode_signals(text)
    assert {s["pathogen"] for s in series} == {EVIL}
    assert [s["values"] for s in series] == [[1230.0], [0.0312]]
    assert series[1]["lo"] == [0.01]


@pytest.mark.realdata
def test_real_site_signal_sections(real_site: tuple[epicurves.Settings, Path]) -> None:
    settings, site = real_site
    have = _check_signal_scripts(settings, site)
    german = {r for r in have if r.startswith("DE")}
    assert german == set(SIGNAL_REGIONS)
    # CDC's hubs: the US, the 50 states, DC and Puerto Rico
    assert {"US", "US-CA", "US-NY", "US-DC", "US-PR"} <= have - german
    us = {r for r in have if r == "US" or r.startswith("US-")}
    assert len(us) == 53
    # ECDC's ERVISS: 27 European countries besides Germany (EU/EEA is no region)
    europe = have - german - us
    assert {"FR", "ES", "IT", "MT", "CY", "FI"} <= europe and len(europe) == 27, europe
    for region in SIGNAL_REGIONS:
        text = (site / f"region/{region}/index.html").read_text("utf-8")
        assert 'id="surveillance"' in text, region
        assert 'id="sig-hospitalisation"' in text and 'id="sig-deaths-weekly"' in text
    de = (site / "region/DE/index.html").read_text("utf-8")
    for anchor in ("sig-wastewater", "sig-hospitalisation-2020", "sig-sari"):
        assert f'id="{anchor}"' in de
    assert "2024-10-07" in de  # SARI ends with 2024-W41 (its Monday)
    home = (site / "index.html").read_text("utf-8")
    assert "Germany today" in home and "stale" in home
    assert "United States today" in home
    # the US page's data script stays small: two charts, weekly values
    assert (site / "data/US.sig.js").stat().st_size < 20_000


def test_us_pages_draw_admissions_and_ed_shares_by_disease(
    signal_site: tuple[epicurves.Settings, Path],
) -> None:
    """The US page and a state's have the two charts by disease, with their per 100 000 /
    counts and scale options, a text alternative naming both diseases and saying which weeks
    are provisional; the home page has "United States today" and says which countries are
    live and which sources are frozen."""
    _, site = signal_site
    from epicurves.sources import SOURCES

    if "cdc-flu" not in SOURCES or not (site / "data/US.sig.js").is_file():
        pytest.skip("the CDC sources or their fixtures are not there yet")
    for region in ("US", "US-CA"):
        text = (site / f"region/{region}/index.html").read_text("utf-8")
        for anchor in ("sig-admissions", "sig-ed-share"):
            assert f'id="{anchor}"' in text, (region, anchor)
            # its text, then its forecasts in words (filled by the page)
            described_by = f'aria-describedby="text-{anchor} forecast-{anchor}"'
            assert described_by in text and f'id="forecast-{anchor}"' in text
        assert 'id="per-sig-admissions"' in text and 'id="scale-sig-admissions"' in text
        assert 'id="scale-sig-ed-share"' not in text
        assert (
            "COVID-19 and influenza: hospital admissions per 100 000 per week" in text
        )
        described = re.search(r'id="text-sig-admissions"[^>]*>([^<]*)<', text)
        assert described is not None
        assert "COVID-19:" in described[1] and "influenza:" in described[1]
        assert (
            "provisional" in described[1] and "week ending 2021-03-06" in described[1]
        )
        assert "cdc-covid" in text and "cdc-flu" in text
        assert "What RKI measures" not in text
        # the admissions chart links the map of every state (the ED chart has none)
        assert text.count('maps/us-admissions/index.html">All states on a map') == 1
    home = (site / "index.html").read_text("utf-8")
    assert "United States today" in home
    assert 'href="region/US/index.html#sig-admissions"' in home
    assert "week ending 2021-03-06" in home and "provisional" in home
    live = re.search(r'id="live-countries">(.*?)</p>', home)
    assert live is not None
    assert "cdc-covid, cdc-flu" in live[1] and "rki" in live[1]
    frozen = live[1].split("Frozen")[1]
    for name in (s.name for s in SOURCES.values() if not s.live):
        if f"{name}" in home:
            assert name in frozen
    assert "jhu" in frozen and "cdc" not in frozen


def test_us_today_rows_are_each_diseases_latest_week() -> None:
    import datetime as dt

    from epicurves.site.today import us_today

    def row(signal: str, pathogen: str, day: str, value: float) -> dict:
        return {
            "region_id": "US", "signal": signal, "pathogen": pathogen, "age_group": "00+",
            "estimate": "measured", "unit": "u", "date": pd.Timestamp(day), "value": value,
            "week_change_pct": 12.0, "trend": "rising",
        }  # fmt: skip

    trends = pd.DataFrame([
        row("admissions-rate", "SARS-CoV-2", "2026-08-15", 0.649),
        row("admissions-rate", "Influenza", "2026-06-27", 0.214),
        row("admissions", "SARS-CoV-2", "2026-08-15", 2100),  # counts: on the chart only
        row("ed-share", "SARS-CoV-2", "2026-08-15", 0.0037),
        row("ed-share", "Influenza", "2026-06-27", 0.001),
    ])  # fmt: skip
    vintages = {
        "cdc-covid/admissions-rate": "2026-08-15", "cdc-flu/admissions-rate": "2026-06-27",
        "cdc-covid/ed-share": "2026-08-15", "cdc-flu/ed-share": "2026-06-27",
    }  # fmt: skip
    rows = us_today(trends, dt.date(2026, 8, 20), vintages)
    got = [
        (r["signal"], r["pathogen"], r["date"], r["value"], r["stale"]) for r in rows
    ]
    # on 2026-08-20 FluSight's June weeks fall in its summer pause: not stale
    assert got == [
        ("admissions-rate", "COVID-19", "2026-08-15", "0.649", False),
        ("admissions-rate", "influenza", "2026-06-27", "0.214", False),
        ("ed-share", "COVID-19", "2026-08-15", "0.37 %", False),
        ("ed-share", "influenza", "2026-06-27", "0.1 %", False),
    ]
    # in December both are (the mirror's files end in the summer)
    late = us_today(trends, dt.date(2026, 12, 5), vintages)
    assert [r["stale"] for r in late] == [True] * 4
    assert all(r["provisional"] and r["resolution"] == "week" for r in rows)
    assert {r["source"] for r in rows} == {"cdc-covid", "cdc-flu"}
    assert rows[0]["href"] == "region/US/index.html#sig-admissions"
    assert rows[2]["href"] == "region/US/index.html#sig-ed-share"


def test_germany_today_judges_staleness_on_each_signals_vintage() -> None:
    import datetime as dt

    from epicurves.site.today import germany_today

    def row(signal: str, estimate: str, day: str, pathogen: str = "SARS-CoV-2") -> dict:
        return {
            "region_id": "DE", "signal": signal, "pathogen": pathogen, "age_group": "00+",
            "estimate": estimate, "unit": "u", "date": pd.Timestamp(day), "value": 1.0,
            "week_change_pct": 12.0, "trend": "rising",
        }  # fmt: skip

    trends = pd.DataFrame(
        [
            row(
                "hospitalisation", "nowcast", "2026-08-19"
            ),  # the nowcast ends 2 days early
            row("deaths-weekly", "measured", "2026-08-10"),  # the Monday of 2026-W33
            row("sari", "measured", "2024-10-07"),
            row("hospitalisation-2020", "updated", "2022-08-05"),  # ended: not "today"
            row("wastewater", "smoothed", "2026-08-19"),
            row("wastewater", "smoothed", "2026-08-19", pathogen="Influenza A"),
        ]
    )
    vintages = {
        "hospitalisation": "2026-08-21",
        "deaths-weekly": "2026-08-10",
        "sari": "2024-10-07",
        "wastewater": "2026-08-19",
    }
    today = germany_today(trends, dt.date(2026, 8, 23), vintages)
    stale = {(t["signal"], t["pathogen"]): t["stale"] for t in today}
    assert stale == {
        ("wastewater", "SARS-CoV-2"): False,
        ("hospitalisation", "SARS-CoV-2"): False,  # data of 08-21, 2 days old: current
        ("deaths-weekly", "SARS-CoV-2"): False,
        ("sari", "SARS-CoV-2"): True,
    }
    assert today[0]["pathogen"] == "SARS-CoV-2" and today[0]["by_pathogen"]
    # a wastewater value resting on fewer than 10 plants says so
    sites = pd.DataFrame(
        [
            {**row("wastewater-sites", "measured", "2026-08-19"), "value": 9.0},
            {
                **row("wastewater-sites", "measured", "2026-08-19", "Influenza A"),
                "value": 40.0,
            },
        ]
    )
    few = germany_today(pd.concat([trends, sites]), dt.date(2026, 8, 23), vintages)
    ww = next(t for t in few if t["signal"] == "wastewater")
    assert ww["few_plants"] == 9
    assert all(t["few_plants"] is None for t in few if t["signal"] != "wastewater")
    # a weekly signal dated by its Monday is current until 2 weeks after that week's Sunday
    later = germany_today(trends, dt.date(2026, 8, 30), vintages)
    assert not next(t for t in later if t["signal"] == "deaths-weekly")["stale"]
    much_later = germany_today(trends, dt.date(2026, 9, 1), vintages)
    assert next(t for t in much_later if t["signal"] == "deaths-weekly")["stale"]


def test_a_failed_state_write_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """c16e9d3's save_state left its temporary file when the write failed."""
    from epicurves.site.publish import BuildState, SiteFolder

    folder = SiteFolder(tmp_path / "site")
    folder.root.mkdir()
    state = BuildState(1, "f", "s", 1, {})

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr("epicurves.files.os.replace", full_disk)
        with pytest.raises(OSError, match="No space left"):
            folder.save_state(state)
    assert list(folder.root.iterdir()) == []
    folder.save_state(state)
    assert [p.name for p in folder.root.iterdir()] == ["000001.state.json"]


def test_the_site_links_to_the_docs_and_each_chart_to_its_section(
    site: Path, signal_site: tuple[epicurves.Settings, Path]
) -> None:
    """The footer and About link to the documentation's address (a setting); each chart of a
    region page, the signal charts too, to the section of the docs that explains it."""
    from epicurves.charts.spec import CHART_DOCS, SIGNAL_CHARTS
    from epicurves.config import DEFAULT_DOCS_URL

    about = (site / "about/index.html").read_text("utf-8")
    assert f'<a href="{DEFAULT_DOCS_URL}">the documentation</a>' in about
    region = (site / "region/DE-09162/index.html").read_text("utf-8")
    assert f'<a href="{DEFAULT_DOCS_URL}">Documentation</a>' in region
    for label, href in CHART_DOCS:
        assert f'<a href="{DEFAULT_DOCS_URL}{href}">{label}</a>' in region
    _, signals = signal_site
    de = (signals / "region/DE/index.html").read_text("utf-8")
    drawn = [c for c in SIGNAL_CHARTS if f'id="{c.anchor}"' in de]
    assert len(drawn) >= 3
    for chart in drawn:
        assert f'href="{DEFAULT_DOCS_URL}{chart.docs}">How is this computed?</a>' in de


def test_the_docs_address_is_a_setting(tmp_path: Path, fixtures: Path) -> None:
    """Another address, or none (the links then go to the site's own Analysis page); an
    address that is not one is refused before anything is written."""
    from epicurves.site.build import build_site

    home = tmp_path / "home"
    epicurves.update(epicurves.Settings(home=home, mirror=fixtures), ["rki"])
    own = epicurves.Settings(home=home, docs_url="https://docs.example.org/epi/")
    build_site(own, tmp_path / "own", workers=1)
    page = (tmp_path / "own/region/DE/index.html").read_text("utf-8")
    assert (
        'href="https://docs.example.org/epi/guides/analysis.html#analysis-r">R</a>'
        in page
    )
    build_site(
        epicurves.Settings(home=home, docs_url=None), tmp_path / "none", workers=1
    )
    page = (tmp_path / "none/region/DE/index.html").read_text("utf-8")
    assert "Documentation</a>" not in page and "guides/" not in page
    assert '<a href="../../analysis/index.html">R</a>' in page
    bad = epicurves.Settings(home=home, docs_url="javascript:alert(1)/")
    with pytest.raises(epicurves.UsageError, match="EPICURVES_DOCS_URL"):
        build_site(bad, tmp_path / "bad", workers=1)
    assert not (tmp_path / "bad").exists()
