"""The binder/ folder: postBuild calls commands the CLI has and writes every file the site's Binder links open."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT
from epicurves.cli import cli
from epicurves.notebooks.recipes import Recipe
from notebooks.binder_checks import EVIL, _binder_links, _Page

BINDER = ROOT / "binder"


# -- the binder/ folder ------------------------------------------------------------------------
def _commands() -> list[list[str]]:
    """The ``epicurves`` command lines of binder/postBuild, as words."""
    lines = []
    for line in (BINDER / "postBuild").read_text("utf-8").splitlines():
        words = line.strip().removeprefix("if ! ").removesuffix("; then").split()
        if words[:1] == ["epicurves"]:
            lines.append(words[1:])
    return lines


def test_postbuild_is_an_executable_bash_script() -> None:
    path = BINDER / "postBuild"
    assert path.stat().st_mode & stat.S_IXUSR, "chmod +x binder/postBuild"
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == "#!/bin/bash"
    assert "set -euo pipefail" in lines
    bash = shutil.which("bash")
    assert bash is not None, "bash runs binder/postBuild"
    checked = subprocess.run([bash, "-n", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "python -m pip install --no-cache-dir ." in lines
    assert [c[0] for c in _commands()] == ["update", "info", "notebook", "recipes"]


def test_runtime_txt_names_a_python_epicurves_supports() -> None:
    runtime = (BINDER / "runtime.txt").read_text("utf-8").strip()
    assert runtime.startswith("python-3.")
    minor = int(runtime.split(".")[1])
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "requires-python"
    ]
    assert requires.startswith(">=3.") and minor >= int(requires.split(".")[1])
    assert (BINDER / "README.md").is_file()
    assert not (
        BINDER / "requirements.txt"
    ).exists()  # it could not install the checkout


def test_postbuild_calls_commands_and_options_the_cli_has() -> None:
    for words in _commands():
        name, options = words[0], [w for w in words[1:] if w.startswith("--")]
        assert name in cli.commands, f"binder/postBuild calls `epicurves {name}`"
        known = {o for p in cli.commands[name].params for o in getattr(p, "opts", [])}
        assert set(options) <= known, (name, options)
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0


@pytest.mark.slow
def test_postbuild_writes_every_file_the_links_open(
    binder_site: Path, collection: tuple[Recipe, ...], tmp_path: Path
) -> None:
    """binder/postBuild run offline (pip stubbed, the fixture mirror instead of the upstream
    URLs): each Binder link of the site opens a file it wrote, in the folder JupyterLab
    starts in; the store is where binder/README.md says."""
    bash = shutil.which("bash")
    tool = Path(sys.executable).parent / "epicurves"
    assert bash is not None, "bash runs binder/postBuild"
    assert tool.exists(), f"the epicurves script is not beside {sys.executable}"
    repo = tmp_path / "repo"
    (repo / "binder").mkdir(parents=True)
    shutil.copy2(BINDER / "postBuild", repo / "binder" / "postBuild")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "python").write_text(
        f'#!/bin/bash\nif [ "$1 $2" = "-m pip" ]; then echo "pip: $*" >> "{tmp_path}/pip.log";'
        f' exit 0; fi\nexec "{sys.executable}" "$@"\n'
    )
    (stubs / "python").chmod(0o755)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("EPICURVES_", "XDG_"))
    }
    env.update(
        HOME=str(tmp_path / "jovyan"),
        PATH=os.pathsep.join([str(stubs), str(tool.parent), env.get("PATH", "")]),
        EPICURVES_MIRROR=str(FIXTURES),
    )
    result = subprocess.run(
        [bash, str(repo / "binder" / "postBuild")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert (
        tmp_path / "pip.log"
    ).read_text() == "pip: -m pip install --no-cache-dir .\n"
    store = tmp_path / "jovyan" / ".local" / "share" / "epicurves" / "store"
    assert (store / "manifest.json").is_file()
    opened = 0
    for path in binder_site.rglob("*.html"):
        for link in _binder_links(_Page(path.read_text("utf-8"))):
            target = parse_qs(urlsplit(link).query)["urlpath"][0].removeprefix(
                "lab/tree/"
            )
            if target.endswith(EVIL.filename):
                continue  # the test's own recipe is not in the package
            assert (repo / target).exists(), (path, target)
            opened += 1
    assert opened > 20
    for recipe in collection:
        if recipe is not EVIL:
            assert (repo / "recipes" / recipe.filename).read_bytes() == (
                binder_site / "recipes" / recipe.filename
            ).read_bytes()
    written = json.loads((repo / "notebooks" / "DE.ipynb").read_text("utf-8"))
    assert written["nbformat"] == 4
