"""What is normalised in the outputs of a run (its folders, wall-clock durations, the store's
random tokens and id), and the digests of the files a command writes."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

#: At most this many files a command writes are listed one by one (else one digest).
MAX_LISTED_FILES = 60


#: The random token in a store table's file name, and the store's random id.
_STORE_TOKEN = re.compile(r"-[0-9a-f]{12}(?=\.\w+\.parquet)")
_STORE_ID = re.compile(r'("store(?:_id)?"\s*:\s*)"[0-9a-f]{32}"')
#: Durations the CLI prints, which no pinned clock can make equal.
_DURATIONS = (
    (re.compile(r"(\bbuilt .*? in )\d+(?:\.\d+)? s:"), r"\1~ s:"),
    (re.compile(r"\(\d+(?:\.\d+)? ms each, "), "(~ ms each, "),
)


def _blank_column(text: str, header: str) -> str:
    """Replace the cells of the rich table column ``header`` with ``~`` (the update table's
    ``seconds``: wall-clock durations)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        match = re.search(rf"[┃│] {re.escape(header)} +[┃│]", line)
        if match is None:
            continue
        left, right = match.start(), match.end() - 1
        for j in range(i + 1, len(lines)):
            row = lines[j]
            if len(row) <= right or row[left] not in "│┃" or row[right] not in "│┃":
                if row[:1] in "└╰" or not row.strip():
                    break
                continue
            cell = " ~" if row[left + 1 : right].strip() else ""
            lines[j] = row[: left + 1] + cell.ljust(right - left - 1) + row[right:]
    return "\n".join(lines)


def normalise_output(text: str, paths: Mapping[str, Path]) -> str:
    """``text`` with the run's folders as ``{name}`` (longest first) and durations as ``~``."""
    pairs = sorted(
        ((str(p), "{" + name + "}") for name, p in paths.items()),
        key=lambda pair: -len(pair[0]),
    )
    for path, token in pairs:
        # tokens are plain text: no backslash or group reference for re.sub to expand
        text = re.sub(re.escape(path) + r"(?![\w-]|\.\w)", token, text)
    for pattern, replacement in _DURATIONS:
        text = pattern.sub(replacement, text)
    return _blank_column(text, "seconds")


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def _text_digest(path: Path, paths: Mapping[str, Path]) -> str:
    """The digest of a file; of a small text file, after :func:`normalise_output` and with a
    store's random tokens and id normalised."""
    if path.stat().st_size > 20_000_000:
        return _file_digest(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return hashlib.sha256(data).hexdigest()[:16]
    text = _STORE_ID.sub(r'\1"STORE-ID"', _STORE_TOKEN.sub("-TOKEN", text))
    return hashlib.sha256(normalise_output(text, paths).encode()).hexdigest()[:16]


def _files(root: Path) -> dict[str, Path]:
    """Every file under ``root`` (links to folders followed once, at the top), by relative path."""
    found: dict[str, Path] = {}
    if not root.exists():
        return found
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path
    return found


def _written(
    folder: Path, skip: Iterable[str], paths: Mapping[str, Path]
) -> dict[str, str]:
    """Digests of the files a command wrote into its folder (links shown as ``-> target``).

    A store's random file tokens and id are normalised, in names and in its JSON files, and
    the run's folders in every text file (a store's ``checked.json`` names the mirror)."""
    listed: dict[str, str] = {}
    for dirpath, dirnames, names in os.walk(folder):
        for name in [*names, *dirnames]:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if rel in skip:
                continue
            key = _STORE_TOKEN.sub("-TOKEN", rel)
            if path.is_symlink():
                listed[key] = "-> " + os.readlink(path)
            elif path.is_file():
                listed[key] = _text_digest(path, paths)
    if len(listed) > MAX_LISTED_FILES:
        whole = hashlib.sha256(json.dumps(sorted(listed.items())).encode()).hexdigest()
        return {f"<{len(listed):,} files>": whole[:16]}
    return dict(sorted(listed.items()))
