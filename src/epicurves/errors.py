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
    """Base class of every error epicurves raises on purpose.

    Catch it to handle any of them (the command line turns it into one line):

    >>> try:
    ...     load_observations(["XX"])
    ... except EpicurvesError as err:
    ...     print(f"{type(err).__name__}: {err}")
    UnknownRegionError: unknown region 'XX': `epicurves regions` lists the region ids
    """


class UsageError(EpicurvesError):
    """The caller asked for something that does not exist (a source, a region, a format).

    >>> load_regions(kind="city")
    Traceback (most recent call last):
    ...
    epicurves.errors.UsageError: unknown kind 'city': expected one of country, state, ...
    """


class UnknownRegionError(UsageError):
    """A region id that the store does not have; ``region_id`` is the id asked for.

    >>> load_observations(["DE", "XX"])
    Traceback (most recent call last):
    ...
    epicurves.errors.UnknownRegionError: unknown region 'XX': ...
    >>> try:
    ...     load_summary(regions=["XX"])
    ... except UnknownRegionError as err:
    ...     print(err.region_id)
    XX
    """

    def __init__(self, region_id: str) -> None:
        super().__init__(
            f"unknown region {region_id!r}: `epicurves regions` lists the region ids"
        )
        self.region_id = region_id


class SourceError(EpicurvesError):
    """An upstream file of a source could not be used.

    ``source`` is the source's name and ``file`` the upstream file name (or path).

    >>> err = SourceError("the file is empty", source="nyt", file="us-states.csv")
    >>> str(err), err.source, err.reason
    ('nyt: us-states.csv: the file is empty', 'nyt', 'the file is empty')
    >>> issubclass(FetchError, SourceError), issubclass(ParseError, SourceError)
    (True, True)
    """

    def __init__(self, message: str, *, source: str, file: str) -> None:
        super().__init__(f"{source}: {file}: {message}")
        self.source = source
        self.file = file
        self.reason = message


class FetchError(SourceError):
    """An upstream file could not be fetched from its URL or found in the mirror.

    :func:`~epicurves.update` reports it in the failed source's
    :class:`~epicurves.SourceReport` (the source's last good data are kept):

    >>> err = FetchError("HTTP 503", source="rki", file="Nowcast_R_aktuell.csv")
    >>> print(err)
    rki: Nowcast_R_aktuell.csv: HTTP 503
    """


class NotInMirrorError(FetchError):
    """A mirror folder was given and does not hold the file.

    A source named explicitly must be in the mirror (a default one is ``skipped``):

    >>> from pathlib import Path
    >>> Path("empty-mirror").mkdir()
    >>> report = update(Settings(home="scratch", mirror="empty-mirror"), ["nyt"])
    >>> failed = report.failed[0]
    >>> failed.status, type(failed.error).__name__
    ('failed', 'NotInMirrorError')
    >>> print(failed.error)
    nyt: us-states.csv: not in the mirror empty-mirror (looked for nyt/us-states.csv and ...)
    """


class ParseError(SourceError):
    """An upstream file does not have the content the source expects.

    ``row`` is the 1-based line number in the file (the header is line 1) and ``column`` the
    column name, where known; ``expected`` says what was expected and ``value`` what was found.
    ``unit`` names what ``row`` counts: ``line`` in a text file, ``row`` (the 1-based data
    row) in a Parquet file.

    >>> from pathlib import Path
    >>> _ = Path("counts.csv").write_text("region_id,date,cases\\nX,2021-03-01,ten\\n")
    >>> read_observations("counts.csv")
    Traceback (most recent call last):
    ...
    epicurves.errors.ParseError: user: counts.csv: line 2, column 'cases': not a count: ...
    >>> try:
    ...     read_observations("counts.csv")
    ... except ParseError as err:
    ...     print(err.row, err.column, err.value)
    2 cases ten
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
        unit: str = "line",
    ) -> None:
        where = []
        if row is not None:
            where.append(f"{unit} {row}")
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

    >>> from pathlib import Path
    >>> _ = Path("counts.csv").write_text("region_id,date,cases\\nX,2999-01-01,1\\n")
    >>> read_observations("counts.csv")
    Traceback (most recent call last):
    ...
    epicurves.errors.ValidationError: user, region X, column 'date': date 2999-01-01 is ...
    >>> try:
    ...     read_observations("counts.csv")
    ... except ValidationError as err:
    ...     print(err.region_id, err.column, "-", err.reason)
    X date - date 2999-01-01 is in the future: expected dates up to today
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
    """The on-disk store cannot be read or written.

    >>> upstream_copy("jhu-us", "time_series_covid19_confirmed_US.csv")
    Traceback (most recent call last):
    ...
    epicurves.errors.StoreError: jhu-us: time_series_covid19_confirmed_US.csv is not stored yet: ...
    """


class EmptyStoreError(StoreError):
    """Nothing is stored yet in the store folder ``store_dir``: run ``epicurves update``.

    >>> load_regions(settings=Settings(home="new-home"))
    Traceback (most recent call last):
    ...
    epicurves.errors.EmptyStoreError: the store in new-home/store is empty: run ...
    >>> issubclass(EmptyStoreError, StoreError)
    True
    """

    def __init__(self, store_dir: object) -> None:
        super().__init__(
            f"the store in {store_dir} is empty: run `epicurves update` first"
        )
        self.store_dir = store_dir


class LockError(StoreError):
    """Another process holds the store's update lock.

    :func:`~epicurves.update` waits for the lock up to ``lock_timeout`` seconds, then gives up
    with this error:

    >>> from filelock import FileLock
    >>> with FileLock("scratch/update.lock"):  # held by another update, say
    ...     update(Settings(home="scratch"), lock_timeout=0)
    Traceback (most recent call last):
    ...
    epicurves.errors.LockError: another update holds scratch/update.lock: nothing done
    """


class BuildError(EpicurvesError):
    """A site build failed; the published site is the last good one.

    ``kept`` is the generation still published (None: there was no site yet).

    >>> err = BuildError("page DE: the template failed", kept=3)
    >>> str(err), err.kept
    ('page DE: the template failed', 3)
    """

    def __init__(self, message: str, *, kept: int | None = None) -> None:
        super().__init__(message)
        self.kept = kept
