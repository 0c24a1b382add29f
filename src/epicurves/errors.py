"""The exception tree of epicurves: every error the library raises on purpose.

::

    EpicurvesError                 anything epicurves raises on purpose
    ├── UsageError                 a name or option the caller got wrong (unknown source, region)
    │   └── UnknownRegionError     a region id the store does not have
    ├── SourceError                an upstream file is missing, unreadable or malformed
    │   ├── FetchError             it could not be fetched (network, HTTP status)
    │   │   └── NotInMirrorError   a mirror folder was given and the file is not in it
    │   └── ParseError             it was fetched but is not what the source expects
    ├── ValidationError            parsed data that breaks a rule of the tidy model
    ├── StoreError                 the on-disk store is unreadable, missing or busy
    │   ├── EmptyStoreError        nothing is stored yet: run `epicurves update`
    │   └── LockError              another update (or build) holds its lock
    └── BuildError                 a site build failed; the last good site is kept

The library raises these; only the command line turns them into one line and an exit status.
Each carries the context it was raised with as attributes, so callers can react to it.
"""

from __future__ import annotations

__all__ = [
    "BuildError",
    "EmptyStoreError",
    "EpicurvesError",
    "FetchError",
    "LockError",
    "NotInMirrorError",
    "ParseError",
    "SourceError",
    "StoreError",
    "UnknownRegionError",
    "UsageError",
    "ValidationError",
]


class EpicurvesError(Exception):
    """Base class of every error epicurves raises on purpose."""


class UsageError(EpicurvesError):
    """The caller asked for something that does not exist (a source, a region, a format)."""


class UnknownRegionError(UsageError):
    """A region id that the store does not have; ``region_id`` is the id asked for."""

    def __init__(self, region_id: str) -> None:
        super().__init__(
            f"unknown region {region_id!r}: `epicurves regions` lists the region ids"
        )
        self.region_id = region_id


class SourceError(EpicurvesError):
    """An upstream file of a source could not be used.

    ``source`` is the source's name and ``file`` the upstream file name (or path).
    """

    def __init__(self, message: str, *, source: str, file: str) -> None:
        super().__init__(f"{source}: {file}: {message}")
        self.source = source
        self.file = file
        self.reason = message


class FetchError(SourceError):
    """An upstream file could not be fetched from its URL or found in the mirror."""


class NotInMirrorError(FetchError):
    """A mirror folder was given and does not hold the file."""


class ParseError(SourceError):
    """An upstream file does not have the content the source expects.

    ``row`` is the 1-based line number in the file (the header is line 1) and ``column`` the
    column name, where known; ``expected`` says what was expected and ``value`` what was found.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        file: str,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        value: object = None,
    ) -> None:
        where = []
        if row is not None:
            where.append(f"line {row}")
        if column is not None:
            where.append(f"column {column!r}")
        text = message
        if expected is not None:
            text += f": expected {expected}"
            if value is not None:
                text += f", found {value!r}"
        elif value is not None:
            text += f": {value!r}"
        if where:
            text = ", ".join(where) + ": " + text
        super().__init__(text, source=source, file=file)
        self.row = row
        self.column = column
        self.expected = expected
        self.value = value


class ValidationError(EpicurvesError):
    """Parsed data breaks a rule of the tidy model (duplicates, gaps, bad values).

    ``source``, ``region_id``, ``date`` and ``column`` say where, as far as known; ``file``
    the upstream file (or files) the data came from, where the pipeline knows them.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        region_id: str | None = None,
        date: str | None = None,
        column: str | None = None,
        file: str | None = None,
    ) -> None:
        where = [source if file is None else f"{source}: {file}"]
        if region_id is not None:
            where.append(f"region {region_id}")
        if date is not None:
            where.append(f"date {date}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(", ".join(where) + ": " + message)
        self.source = source
        self.region_id = region_id
        self.date = date
        self.column = column
        self.file = file
        self.reason = message

    def in_files(self, files: str) -> ValidationError:
        """The same error, saying which of the source's files the data came from."""
        return ValidationError(
            self.reason, source=self.source, region_id=self.region_id, date=self.date,
            column=self.column, file=files,
        )  # fmt: skip


class StoreError(EpicurvesError):
    """The on-disk store cannot be read or written."""


class EmptyStoreError(StoreError):
    """Nothing is stored yet in the store folder ``store_dir``: run ``epicurves update``."""

    def __init__(self, store_dir: object) -> None:
        super().__init__(
            f"the store in {store_dir} is empty: run `epicurves update` first"
        )
        self.store_dir = store_dir


class LockError(StoreError):
    """Another process holds the store's update lock."""


class BuildError(EpicurvesError):
    """A site build failed; the published site is the last good one.

    ``kept`` is the generation still published (None: there was no site yet).
    """

    def __init__(self, message: str, *, kept: int | None = None) -> None:
        super().__init__(message)
        self.kept = kept
