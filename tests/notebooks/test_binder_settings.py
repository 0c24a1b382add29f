"""The Binder settings: where they come from, which repositories and refs are accepted, and the links they make."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from click.testing import CliRunner

from epicurves import Settings, UsageError
from epicurves.cli import cli
from epicurves.config import binder_problem
from epicurves.site.build import build_site
from epicurves.site.pages import binder_url
from notebooks.binder_checks import REF, REPO, _settings


# -- the settings ------------------------------------------------------------------------------
def test_binder_settings_default_to_no_links_and_come_from_the_environment() -> None:
    assert Settings().binder is None and Settings().binder_ref == "main"
    env = {"EPICURVES_BINDER_REPO": " me/epicurves ", "EPICURVES_BINDER_REF": "v1.2"}
    assert Settings.from_env(env).binder == ("me/epicurves", "v1.2")
    assert Settings.from_env(env, binder_repo="you/fork").binder == ("you/fork", "v1.2")
    assert Settings.from_env({"EPICURVES_BINDER_REPO": ""}).binder is None
    assert Settings.from_env({"EPICURVES_BINDER_REPO": "me/x"}).binder == (
        "me/x",
        "main",
    )
    # the ref alone shows nothing: there is no repository to link to
    assert Settings.from_env({"EPICURVES_BINDER_REF": "v1"}).binder is None


@pytest.mark.parametrize(
    "repo", ["me/epicurves", "Me-2/epi.curves_x", "a/b", "a" * 39 + "/" + "b" * 100]
)
@pytest.mark.parametrize(
    "ref", ["main", "v1.2.3", "release/2026.1", "3f2c9e1d", "feature_x-y", "a+b#c"]
)
def test_github_repositories_and_git_refs_are_accepted(repo: str, ref: str) -> None:
    assert binder_problem(repo, ref) is None


@pytest.mark.parametrize(
    "repo",
    [
        "epicurves", "me/epicurves/extra", "https://github.com/me/epicurves", "me /x",
        "-me/x", "me/..", "me/.", "me/x?y=1", "me/<script>", "me/x y", "", "a" * 40 + "/b",
        "me/x\n",
    ],
)  # fmt: skip
def test_a_repository_that_is_not_owner_slash_name_is_refused(repo: str) -> None:
    message = binder_problem(repo, "main")
    assert message is not None and "\n" not in message
    assert message.startswith("binder_repo (EPICURVES_BINDER_REPO): expected")
    assert message.endswith(f"found {repo!r}")


@pytest.mark.parametrize(
    "ref", ["", "a b", "a..b", "x~1", "x^", "a:b", "-x", "x/", "/x", "a@{1}", "x.lock",
            "x.", "a//b", "a\\b", "a?b", "a*b", "a[b", "tab\t"],
)  # fmt: skip
def test_a_ref_git_would_refuse_is_refused(ref: str) -> None:
    message = binder_problem("me/epicurves", ref)
    assert message is not None and "\n" not in message
    assert message.startswith("binder_ref (EPICURVES_BINDER_REF): expected")
    assert message.endswith(f"found {ref!r}")


def test_a_bad_binder_setting_stops_the_build_in_one_line(
    base: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli,
        ["--home", str(base / "home"), "build", "--out", str(out)],
        env={"EPICURVES_BINDER_REPO": "https://github.com/me/epicurves"},
    )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(
        "Error: binder_repo (EPICURVES_BINDER_REPO): expected a GitHub repository"
    )
    assert "'https://github.com/me/epicurves'" in result.stderr
    assert not out.exists()  # refused before anything was written
    with pytest.raises(UsageError, match="EPICURVES_BINDER_REF"):
        build_site(_settings(base, binder_repo="me/x", binder_ref="a..b"), out)


def test_binder_links_encode_each_part() -> None:
    url = binder_url((REPO, REF), "notebooks/DE-09162.ipynb")
    assert url == (
        "https://mybinder.org/v2/gh/epi-org/epi.curves_2/release%2F2026.1"
        "?urlpath=lab/tree/notebooks/DE-09162.ipynb"
    )
    odd = binder_url(("me/x", "a+b#c"), "recipes/compare-per-100k.ipynb")
    assert odd is not None
    parts = urlsplit(odd)
    assert (parts.scheme, parts.netloc, parts.fragment) == ("https", "mybinder.org", "")
    assert parts.path == "/v2/gh/me/x/a%2Bb%23c"
    assert [unquote(p) for p in parts.path.split("/")[2:]] == ["gh", "me", "x", "a+b#c"]
    assert parse_qs(parts.query) == {
        "urlpath": ["lab/tree/recipes/compare-per-100k.ipynb"]
    }
    assert binder_url(None, "notebooks/DE.ipynb") is None
