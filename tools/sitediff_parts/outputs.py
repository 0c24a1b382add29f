"""What a side wrote, its site, exports and store, collected by reported key (``site/…``,
``out/…``, ``store/…``), with the hashed asset names replaced by their logical names."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

from .normalise import _STORE_ID, _STORE_TOKEN, MAX_LISTED_FILES, _files
from .side import Side

#: A hash in an asset's file name: site-1d2e06079c.js, charts.3f2a9c81.js.
_HASH = re.compile(r"(?<=[-.])[0-9a-f]{6,64}(?=\.)")


def logical_asset(name: str) -> str:
    """``static/charts-35bc432a6c.js`` -> ``static/charts-HASH.js``."""
    folder, _, file = name.rpartition("/")
    return (folder + "/" if folder else "") + _HASH.sub("HASH", file)


def category(rel: str) -> str:
    if rel.startswith("static/"):
        return "asset"
    suffix = rel.rpartition(".")[2]
    return {
        "html": "html",
        "js": "data script",
        "csv": "csv/json",
        "json": "csv/json",
        "ipynb": "notebook",
    }.get(suffix, "other")


@dataclasses.dataclass
class Outputs:
    """The files of one side to compare, by reported key: bytes as compared, and a category."""

    files: dict[str, tuple[str, Callable[[], bytes]]]
    renamed: dict[str, str]

    def digests(self) -> dict[str, str]:
        """A digest per file, and one per folder of more than :data:`MAX_LISTED_FILES`
        files (``site/data/*``: 1,389 files), as recorded."""
        folders: dict[str, dict[str, str]] = {}
        for key, (_, read) in sorted(self.files.items()):
            folder, _, name = key.rpartition("/")
            folders.setdefault(folder, {})[name] = hashlib.sha256(read()).hexdigest()[
                :16
            ]
        digests: dict[str, str] = {}
        for folder, files in folders.items():
            if len(files) <= MAX_LISTED_FILES:
                digests |= {f"{folder}/{name}": d for name, d in files.items()}
            else:
                whole = json.dumps(sorted(files.items())).encode()
                digests[f"{folder}/* ({len(files):,} files)"] = hashlib.sha256(
                    whole
                ).hexdigest()[:16]
        return digests


def collect(side: Side) -> Outputs:
    """Everything ``side`` wrote, keyed ``site/…``, ``out/…``, ``store/…``."""
    files: dict[str, tuple[str, Callable[[], bytes]]] = {}
    site = _files(side.site.resolve()) if side.site.exists() else {}
    assets = {rel: logical_asset(rel) for rel in site if rel.startswith("static/")}
    swaps = sorted(
        ((rel[7:], logical[7:]) for rel, logical in assets.items() if rel != logical),
        key=lambda pair: -len(pair[0]),
    )

    def html(path: Path) -> Callable[[], bytes]:
        def read() -> bytes:
            text = path.read_bytes()
            for actual, logical in swaps:
                text = text.replace(actual.encode(), logical.encode())
            return text

        return read

    for rel, path in site.items():
        kind = category(rel)
        key = "site/" + assets.get(rel, rel)
        files[key] = (kind, html(path) if kind == "html" else path.read_bytes)
    for rel, path in _files(side.out).items():
        files["out/" + rel] = ("export", path.read_bytes)
    store = side.home / "store"
    for rel, path in _files(store).items():
        if rel.startswith(("pins/", "generations/")) or rel.endswith(".lock"):
            continue
        if rel.endswith(".json"):
            files["store/" + rel] = ("store", _store_json(path))
        else:
            files["store/" + _STORE_TOKEN.sub("-TOKEN", rel)] = (
                "store",
                path.read_bytes,
            )
    renamed = {assets[rel]: rel for rel in assets if assets[rel] != rel}
    return Outputs(files, renamed)


def _store_json(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        text = path.read_text("utf-8")
        text = _STORE_TOKEN.sub("-TOKEN", text)
        return _STORE_ID.sub(r'\1"STORE-ID"', text).encode()

    return read
