"""Region notebooks: made from the template, on the public API only, and run by a real kernel.

The notebooks of one country, one US state and one German district are executed with nbclient
against the real upstream files (../shared/data; skipped where absent): no error and nothing
on stderr, and the headline numbers they print are those of the region's page.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import epicurves
from conftest import ATTACK as EVIL
from conftest import ROOT
from epicurves.cli import cli
from epicurves.notebooks import generate
from epicurves.notebooks.percent import notebook_json, read_percent
from notebook_checks import assert_clean, problems


def check_public(code: str) -> None:
    """Fail on any epicurves name outside ``epicurves.__all__`` and any import beyond the
    standard library, epicurves, pandas, numpy and Bokeh (the recipes' check)."""
    found = problems(code)
    assert not found, found


def test_region_notebook_uses_only_public_names() -> None:
    cells = generate.region_cells(
        "DE-09162", "München", "rki-districts", "CC", ["DE-09"]
    )
    code = "\n".join(c.source for c in cells if c.kind == "code")
    check_public(code)
    compile(code, "<notebook>", "exec")
    assert "epicurves.plot_region(" in code
    assert "epicurves.headline(" in code
    assert "epicurves.ensure_data(" in code


def test_the_template_reads_as_jupytext_percent_cells() -> None:
    cells = generate.template_cells()
    assert cells[0].kind == "markdown" and cells[0].source.startswith("# {{title}}")
    assert [c.tags for c in cells].count(("parameters",)) == 1
    # the text before the first cell (the module docstring) is not a cell
    assert not any('"""' in c.source for c in cells)
    kinds = {c.kind for c in cells}
    assert kinds == {"markdown", "code"}
    # Markdown lines are comments in the script, uncommented in the notebook
    assert all(
        not line.startswith("# %%") for c in cells for line in c.source.splitlines()
    )


def test_percent_reader_keeps_tags_and_leaves_out_the_header() -> None:
    text = '"""doc"""\n\n# %% [markdown]\n# # T\n#\n# x\n\n# %% tags=["parameters"]\na = 1\n\n\n# %%\nb = 2\n'
    cells = read_percent(text)
    assert [(c.kind, c.source, c.tags) for c in cells] == [
        ("markdown", "# T\n\nx", ()),
        ("code", "a = 1", ("parameters",)),
        ("code", "b = 2", ()),
    ]
    notebook = json.loads(notebook_json(cells))
    assert notebook["nbformat_minor"] == 5
    assert [c["id"] for c in notebook["cells"]] == ["cell-0", "cell-1", "cell-2"]
    assert notebook["cells"][1]["metadata"] == {"tags": ["parameters"]}
    assert notebook["cells"][1]["outputs"] == []


def test_unsafe_ids_are_refused() -> None:
    for bad in (("DE`x", "rki", []), ("DE", "r k i", []), ("DE", "rki", ["A B"])):
        with pytest.raises(ValueError, match="is not safe"):
            generate.region_notebook(bad[0], "x", bad[1], "CC", bad[2])


def test_a_region_name_is_inert_in_the_markdown() -> None:
    text = generate.region_notebook(
        "DE-09162", EVIL + " [link](javascript:x) *b*\n# h", "rki", "CC BY 4.0", []
    )
    title = json.loads(text)["cells"][0]["source"]
    assert "<script>" not in title and "<img" not in title
    assert "\\[link\\]\\(javascript:x\\)" in title and "\\*b\\*" in title
    assert title.splitlines()[0].endswith("\\# h (`DE-09162`)")  # one line, one heading
    code = "\n".join(
        c["source"] for c in json.loads(text)["cells"] if c["cell_type"] == "code"
    )
    assert (
        EVIL not in code
    )  # the name is not in the code at all: it is read from the store


def test_site_notebooks_are_the_cli_notebooks(
    attacked_site: tuple[epicurves.Settings, Path], tmp_path: Path
) -> None:
    settings, out = attacked_site
    page = json.loads((out / "notebooks" / "DE-09162.ipynb").read_text("utf-8"))
    assert page["nbformat"] == 4
    assert EVIL not in page["cells"][0]["source"]
    # the attacked site shows another source first (its names carry the attack)
    runner = CliRunner(env={"EPICURVES_PRECEDENCE": ",".join(settings.precedence)})
    home = ["--home", str(settings.home)]
    result = runner.invoke(cli, [*home, "notebook", "DE-09162", "--out", "-"])
    assert result.exit_code == 0, result.output
    assert result.output == (out / "notebooks" / "DE-09162.ipynb").read_text("utf-8")
    # the parameters name the page's peers, in the page's order
    config = re.search(
        r'id="page-config"[^>]*>(.*?)</script>',
        (out / "region" / "DE-09162" / "index.html").read_text("utf-8"),
        re.S,
    )
    assert config is not None
    peers = [p["region_id"] for p in json.loads(config.group(1))["peers"]]
    assert f"peers = {peers!r}" in page["cells"][1]["source"]
    # every region with a page, into a folder; the same bytes as the site's
    folder = tmp_path / "nb"
    result = runner.invoke(cli, [*home, "notebook", "--all", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in folder.glob("*.ipynb"))
    assert made == sorted(p.name for p in (out / "notebooks").glob("*.ipynb"))
    for name in made:  # the same bytes
        assert (folder / name).read_bytes() == (out / "notebooks" / name).read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["notebook"], "name one or more REGION_IDs, or give --all"),
        (["notebook", "DE", "--all"], "not both"),
        (["notebook", "XX-1"], "unknown region 'XX-1'"),
        (["notebook", "DE", "DE-09162", "--out", "-"], "--out - writes one notebook"),
        (["notebook", "DE", "DE-BY", "--out", "two.ipynb"], "expected a folder"),
    ],
)
def test_notebook_command_errors_are_one_line(
    attacked_site: tuple[epicurves.Settings, Path], args: list[str], message: str
) -> None:
    settings, _ = attacked_site
    result = CliRunner(
        env={"EPICURVES_PRECEDENCE": ",".join(settings.precedence)}
    ).invoke(cli, ["--home", str(settings.home), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def _run_notebook(
    settings: epicurves.Settings,
    site: Path,
    region: str,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[dict[str, Any], list[Any]]:
    """The site's notebook of ``region`` run as it is, on the store of ``settings``: its
    namespace, and what it showed (Bokeh's ``show`` captured)."""
    monkeypatch.setenv("EPICURVES_HOME", str(settings.home))
    monkeypatch.setenv("EPICURVES_PRECEDENCE", ",".join(settings.precedence))
    monkeypatch.delenv("EPICURVES_MIRROR", raising=False)
    shown: list[Any] = []
    monkeypatch.setattr("bokeh.io.show", shown.append)
    monkeypatch.setattr("bokeh.io.output_notebook", lambda *a, **k: None)
    notebook = json.loads((site / "notebooks" / f"{region}.ipynb").read_text("utf-8"))
    namespace: dict[str, Any] = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            exec(compile(cell["source"], f"<{region}>", "exec"), namespace)
    return namespace, shown


@pytest.mark.slow
def test_the_notebook_draws_the_page_s_charts_in_the_page_s_order(
    attacked_site: tuple[epicurves.Settings, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its code run as it is (Bokeh's show captured): the comparison's lines are the page's
    peers, by name, in the page's order; the headline is the page's."""
    settings, out = attacked_site
    for region in ("DE-09162", "DE"):
        namespace, shown = _run_notebook(settings, out, region, monkeypatch)
        page = (out / "region" / region / "index.html").read_text("utf-8")
        config = re.search(r'id="page-config"[^>]*>(.*?)</script>', page, re.S)
        assert config is not None
        peers = [p["name"] for p in json.loads(config.group(1))["peers"]]
        assert peers, region
        legend = shown[0].select_one({"name": "cmp_legend"})
        labels = [item.label.value for item in legend.items]
        assert labels == [namespace["summary"]["name"], *peers]
        assert len(shown) == 2


@pytest.mark.parametrize("region", ["DE", "US-CA", "DE-09162"])
def test_the_notebook_draws_the_page_s_fans(
    forecast_site: tuple[epicurves.Settings, Path],
    monkeypatch: pytest.MonkeyPatch,
    region: str,
) -> None:
    """A live region's notebook draws a fan for each forecast its page draws, with the same
    median in its first week (Germany: cases, deaths, hospitalisations; California: COVID-19
    and influenza admissions); a frozen district's, none."""
    settings, out = forecast_site
    namespace, shown = _run_notebook(settings, out, region, monkeypatch)
    script = (out / "forecasts" / f"{region}.js").read_text("utf-8")
    page = json.loads(script.split("]=", 1)[1].rstrip().removesuffix(";"))
    fans = {
        m.name: m.data
        for m in shown[0].references()
        if (m.name or "").startswith("fc_") and len(m.data.get("x", ()))
    }
    assert len(fans) == len(page.get("fans", {})), (sorted(fans), page.get("fans"))
    if region == "DE-09162":
        assert namespace["forecasts"] is None and not fans
        return
    assert len(fans) == (3 if region == "DE" else 2)
    hub = namespace["forecasts"]
    for target, fan in page["fans"].items():
        rows = hub[(hub["target"] == target) & (hub["output_type_id"] == 0.5)]
        first = rows.sort_values("horizon")["value"].iloc[0]
        assert fan["weeks"][0][3] == pytest.approx(first, rel=0.01), target


@pytest.mark.slow
def test_ensure_data_fills_an_empty_store_and_says_so(home: Path, mirror: Path) -> None:
    said: list[str] = []
    settings = epicurves.Settings(home=home, mirror=mirror)
    assert epicurves.ensure_data(settings, echo=said.append) == settings
    assert said[0] == (
        f"The store in {settings.store_dir} is empty: filling it from the local mirror "
        f"{mirror}."
    )
    assert said[1].startswith("Stored ") and "sources" in said[1]
    assert epicurves.Store(settings.store_dir).sources()
    again: list[str] = []
    epicurves.ensure_data(settings, echo=again.append)
    assert again == []  # a store with data is only read


def test_ensure_data_says_why_nothing_was_stored(tmp_path: Path) -> None:
    said: list[str] = []
    missing = epicurves.Settings(
        home=tmp_path / "a", mirror=tmp_path / "no-such-folder"
    )
    with pytest.raises(
        epicurves.UsageError, match=r"no-such-folder .* is not a folder"
    ):
        epicurves.ensure_data(missing, echo=said.append)
    (tmp_path / "empty").mkdir()
    empty = epicurves.Settings(home=tmp_path / "b", mirror=tmp_path / "empty")
    with pytest.raises(epicurves.StoreError, match=r"nothing stored from .*empty"):
        epicurves.ensure_data(empty, echo=said.append)
    assert (
        "jhu skipped: not in the mirror: time_series_covid19_confirmed_global.csv"
        in said
    )


def test_headline_is_the_page_headline(
    attacked_site: tuple[epicurves.Settings, Path],
) -> None:
    settings, out = attacked_site
    for region in ("DE", "DE-09162"):
        row = epicurves.load_summary(regions=[region], settings=settings).iloc[0]
        assert page_headline(out, region) == epicurves.headline(row)


# -- executed by a kernel, on the real data ------------------------------------------------------
class _Headline:
    """The label and value spans of the page's headline section."""

    PATTERN = re.compile(
        r'<span class="value">(.*?)</span><span class="label">(.*?)</span>'
    )


def page_headline(site: Path, region_id: str) -> dict[str, str]:
    text = (site / "region" / region_id / "index.html").read_text("utf-8")
    section = text[text.index('class="headline"') : text.index("</section>")]
    return {
        html.unescape(label): html.unescape(value)
        for value, label in _Headline.PATTERN.findall(section)
    }


def execute(notebook_text: str, env: dict[str, str], cwd: Path) -> Any:
    """Run a notebook in a fresh kernel; the notebook with its outputs."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    import os

    notebook = nbformat.reads(notebook_text, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits the environment
    try:
        client.execute()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return notebook


def _printed_headline(stdout: str, expected: dict[str, str]) -> dict[str, str]:
    found = {}
    for line in stdout.splitlines():
        label, _, value = line.partition(": ")
        if label in expected:
            found[label] = value
    return found


@pytest.mark.notebooks
@pytest.mark.parametrize("region_id", ["DE", "US-CA", "DE-09162"])
def test_region_notebook_runs_and_prints_the_page_headline(
    real_site: tuple[epicurves.Settings, Path], region_id: str, tmp_path: Path
) -> None:
    settings, site = real_site
    text = (site / "notebooks" / f"{region_id}.ipynb").read_text("utf-8")
    check_public(
        "\n".join(
            c["source"] for c in json.loads(text)["cells"] if c["cell_type"] == "code"
        )
    )
    env = {
        "EPICURVES_HOME": str(settings.home),
        "EPICURVES_MIRROR": str(settings.mirror),
    }
    notebook = execute(text, env, tmp_path)
    stdout = assert_clean(notebook)
    expected = page_headline(site, region_id)
    assert len(expected) == 6
    assert _printed_headline(stdout, expected) == expected
    assert "is empty" not in stdout  # the store had data: nothing fetched
    # the page's charts were drawn (a Bokeh document per show())
    shown = [
        o
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if "application/vnd.bokehjs_exec.v0+json" in o.get("data", {})
    ]
    assert len(shown) == 2  # the page's charts, then the log/count/84-day view


@pytest.mark.notebooks
def test_a_notebook_on_an_empty_store_fills_it_from_the_mirror(
    home: Path, mirror: Path, tmp_path: Path
) -> None:
    """A newcomer's first run: the store is empty, EPICURVES_MIRROR names a folder."""
    settings = epicurves.Settings(home=home, mirror=mirror)
    text = generate.region_notebook("DE", "Germany", "rki", "CC BY 4.0", ["DE-BY"])
    env = {"EPICURVES_HOME": str(settings.home), "EPICURVES_MIRROR": str(mirror)}
    stdout = assert_clean(execute(text, env, tmp_path))
    assert f"The store in {settings.store_dir} is empty: filling it from" in stdout
    assert "Stored " in stdout
    row = epicurves.load_summary(regions=["DE"], settings=settings).iloc[0]
    printed = _printed_headline(stdout, epicurves.headline(row))
    assert printed == epicurves.headline(row)


# -- the recipe collection through the command line ---------------------------------------------
def test_recipes_command_lists_and_writes_them(tmp_path: Path) -> None:
    from epicurves.notebooks.recipes import recipes

    collection = recipes()
    assert len(collection) >= 7
    runner = CliRunner()
    listed = runner.invoke(cli, ["recipes"], terminal_width=200)
    assert listed.exit_code == 0, listed.output
    for recipe in collection:
        assert recipe.name in listed.output
        assert recipe.title and recipe.summary, recipe.name
    out = tmp_path / "recipes"
    written = runner.invoke(cli, ["recipes", "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        r.filename for r in collection
    )
    first = collection[0]
    notebook = json.loads((out / first.filename).read_text("utf-8"))
    assert notebook["nbformat"] == 4
    code = [c["source"] for c in notebook["cells"] if c["cell_type"] == "code"]
    assert "\n\n".join(code) == first.code
    one = runner.invoke(cli, ["recipes", first.name, "--out", str(tmp_path / "one")])
    assert one.exit_code == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == [first.filename]


def test_recipes_command_errors_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(cli, ["recipes", "no-such-recipe"])
    assert unknown.exit_code == 1
    assert "no recipe called 'no-such-recipe'; the recipes are:" in unknown.output
    afile = tmp_path / "file"
    afile.write_text("x")
    blocked = runner.invoke(cli, ["recipes", "--out", str(afile)])
    assert blocked.exit_code == 1
    assert f"--out {afile} is a file: expected a folder" in blocked.output


def test_the_templates_and_recipes_ship_in_the_wheel() -> None:
    """They are data files to setuptools (folders without ``__init__.py``): the package data
    must name them, or an installed epicurves has no notebooks (an editable install hides it)."""
    import fnmatch
    import tomllib

    root = ROOT
    config = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["epicurves"]
    package = root / "src" / "epicurves"
    needed = [
        *package.glob("notebooks/templates/*"),
        *package.glob("notebooks/recipes/*"),
        *package.glob("data/*"),
    ]
    assert len(needed) >= 10
    for path in needed:
        name = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(name, g) for g in globs), f"{name} is not shipped"


def test_upstream_copy_is_the_file_the_store_was_read_from(
    settings: epicurves.Settings, tmp_path: Path
) -> None:
    name = "COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv"
    with pytest.raises(epicurves.StoreError, match="not stored yet"):
        epicurves.upstream_copy("rki", name, settings=settings)
    epicurves.update(settings, ["rki"])
    path = epicurves.upstream_copy("rki", name, settings=settings)
    assert settings.mirror is not None and path.is_relative_to(settings.mirror)
    with pytest.raises(
        epicurves.UsageError, match=r"rki has no upstream file 'x\.csv'"
    ):
        epicurves.upstream_copy("rki", "x.csv", settings=settings)
    with path.open(
        "a", encoding="utf-8"
    ) as out:  # the mirror moved on since the update
        out.write("\n")
    with pytest.raises(epicurves.StoreError, match=r"no local copy of .* SHA-256"):
        epicurves.upstream_copy("rki", name, settings=settings)
