"""The chart layouts are made once per version of the code and kept in the home's cache; a
full build reads them from there, and ``epicurves run`` makes missing ones while it updates."""

from __future__ import annotations

from pathlib import Path

import pytest

from epicurves.site import assets
from epicurves.site.assets import (
    _cached,
    asset_names,
    cached_layouts,
    layout_files,
    prewarm,
)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A cache filled by the background process :func:`prewarm` starts."""
    cache = tmp_path_factory.mktemp("cache") / "layouts"
    assert prewarm(cache) is True
    texts = cached_layouts(cache, asset_names())  # waits for it
    return cache, texts


@pytest.mark.slow
def test_the_background_process_makes_every_layout(
    made: tuple[Path, dict[str, str]],
) -> None:
    cache, texts = made
    names = asset_names()
    assert sorted(cache.iterdir()) == sorted(
        _cached(cache, n) for n in layout_files(names)
    )
    assert texts[str(names["charts"])].startswith(
        layout_files(names)[str(names["charts"])]()[:200]
    )
    assert prewarm(cache) is False  # nothing missing: no process


@pytest.mark.slow
def test_a_cached_layout_is_read_a_missing_or_broken_one_made_again(
    made: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, texts = made
    names = asset_names()
    copy = tmp_path / "layouts"
    copy.mkdir()
    for name, text in texts.items():
        _cached(copy, name).write_text(text, "utf-8")
    charts, world = str(names["charts"]), str(names["map_world"])
    # A cached layout is read as it is (kept under a hash of all the code); another
    # version's (another hash of the code, or none) is removed.
    _cached(copy, charts).write_text("made by an older run", "utf-8")
    _cached(copy, world).unlink()
    (copy / f"0123456789ab-{world}").write_bytes(b"\xff")
    (copy / world).write_bytes(b"\xff")
    _cached(copy, str(names["map_us"])).write_bytes(b"\xff\xfe")  # not text: made again
    again = cached_layouts(copy, names)
    assert again[charts] == "made by an older run"
    assert again[world] == texts[world]
    assert _cached(copy, world).read_text("utf-8") == texts[world]
    assert again[str(names["map_us"])] == texts[str(names["map_us"])]
    assert sorted(copy.iterdir()) == sorted(
        _cached(copy, n) for n in layout_files(names)
    )


@pytest.mark.slow
def test_a_read_only_cache_still_gives_the_layouts(
    made: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, texts = made

    def refuse(*_: object, **__: object) -> None:
        msg = "read-only"
        raise PermissionError(msg)

    monkeypatch.setattr(assets, "write_atomic", refuse)
    assert cached_layouts(tmp_path / "none", asset_names()) == texts


def test_the_dark_scheme_changes_colours_only() -> None:
    """The stylesheet's dark scheme sets its colour variables and nothing else, and no page
    script or template reads the scheme: the accessibility checks run every axe-core rule
    in the light scheme and only those that read colours in the dark one
    (``browser_checks.COLOUR_RULES``)."""
    import re

    static = Path(assets.__file__).with_name("static")
    css = (static / "site.css").read_text("utf-8")
    blocks = re.findall(
        r"@media[^{]*prefers-color-scheme[^{]*\{\s*:root\s*\{([^}]*)\}\s*\}", css
    )
    assert len(blocks) == css.count("prefers-color-scheme") == 1
    declarations = [d.strip() for d in blocks[0].split(";") if d.strip()]
    assert declarations and all(
        re.fullmatch(r"--[a-z-]+:\s*#[0-9a-f]{6}", d) for d in declarations
    ), declarations
    templates = static.with_name("templates")
    for path in [*static.glob("*.js"), *templates.glob("*.html")]:
        text = path.read_text("utf-8")
        assert "prefers-color-scheme" not in text and "colorScheme" not in text, path
