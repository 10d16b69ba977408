"""Files: atomic writes that keep links and permissions, and strict CSV reading.

A save goes to a temporary file in the target's directory, is fsynced and renamed
over the target, so a crash, a full disk or a signal never leaves half a file in
place of a good one. The rename goes to the file a symlink points to, keeps an
existing file's mode (and owner, where allowed), and non-regular targets (standard
output, pipes, devices) are written directly. CSV rows with more or fewer fields
than the header are refused with the file name and line number, never truncated.
"""

from __future__ import annotations

import contextlib
import csv
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import IO, Any

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_RECORD_LINES",
    "atomic_write",
    "check_writable",
    "csv_rows",
    "numbered_rows",
    "read_csv_frame",
]

#: A CSV field longer than this many characters is refused (a message is scored on
#: its first 2,000 characters anyway), so one broken quote cannot eat the memory.
MAX_FIELD_CHARS = 1_000_000
_TMP_SUFFIX = ".dgtmp"
_STALE_SECONDS = 3600


def _special(path: str | PathLike[str]) -> bool:
    """True for an existing target that is not a regular file or a directory
    (standard output, a pipe, a device): written in place, never renamed over."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _target(path: str | PathLike[str]) -> Path:
    return Path(os.path.realpath(path))


def check_writable(path: str | PathLike[str]) -> None:
    """Raise now if `path` cannot be written, before any long work starts."""
    if os.path.isdir(path):
        raise IsADirectoryError(f"Expected a file to write, {path} is a directory.")
    if _special(path):
        if not os.access(path, os.W_OK):
            raise PermissionError(f"Cannot write to {path}: permission denied.")
        return
    target = _target(path)
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"Cannot write {path}: no directory {directory}.")
    if not os.access(directory, os.W_OK | os.X_OK) or (
        target.exists() and not os.access(target, os.W_OK)
    ):
        raise PermissionError(f"Cannot write {path}: permission denied.")


def _sweep(directory: Path, name: str) -> None:
    """Remove temporaries of `name` left by killed saves (older than an hour)."""
    now = time.time()
    for stale in directory.glob(f".{name}.*{_TMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > _STALE_SECONDS:
                stale.unlink()


@contextlib.contextmanager
def atomic_write(
    path: str | PathLike[str], mode: str = "wb", **open_args: Any
) -> Iterator[IO[Any]]:
    """Open `path` for writing so that it is replaced only when the block succeeds.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target, "w", encoding="utf-8") as f:
    ...     _ = f.write("done")
    >>> target.read_text()
    'done'
    """
    check_writable(path)
    if _special(path):
        with open(path, mode, **open_args) as f:  # stdout, a pipe, a device
            yield f
        return
    target = _target(path)
    directory = target.parent
    _sweep(directory, target.name)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=_TMP_SUFFIX, dir=directory
    )
    try:
        with os.fdopen(fd, mode, **open_args) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if target.exists():
            old = target.stat()
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
            with contextlib.suppress(OSError):
                os.chown(tmp, old.st_uid, old.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def open_text(path: str | PathLike[str], encoding: str = "utf-8") -> IO[str]:
    """Open a text file for reading, with one-line errors for the usual mistakes."""
    p = Path(path)
    if p.is_dir():
        raise IsADirectoryError(f"Expected a CSV file, {path} is a directory.")
    if not p.exists():
        raise FileNotFoundError(f"No CSV file at {path}.")
    if encoding.replace("-", "").replace("_", "").lower() == "utf8":
        encoding = "utf-8-sig"  # a byte-order mark is not part of the first column
    try:
        return open(p, encoding=encoding, newline="")
    except LookupError:
        raise ValueError(f"Unknown encoding {encoding!r}.") from None


#: A record may span at most this many lines: a stray quote that closes thousands
#: of lines later is refused instead of swallowing them into one text.
MAX_RECORD_LINES = 1_000


def _decode_error_line(path: str | PathLike[str], encoding: str) -> int:
    """The line of the first bytes that do not decode, counted in the file itself
    (the text reader decodes ahead, so its position says little)."""
    number = 1
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                return number
    return number


def numbered_rows(
    path: str | PathLike[str], encoding: str = "utf-8"
) -> Iterator[tuple[int, list[str]]]:
    """The rows of a CSV file with the line each starts on, header first.

    Refuses, with a `ValueError` naming the file and the line: a row whose
    number of fields differs from the header's; a header that repeats a name; a
    field over `MAX_FIELD_CHARS`; a quoted field never closed, or spanning more
    than `MAX_RECORD_LINES` lines; text that does not decode (with a hint to pass
    the right encoding, e.g. gbk or big5).
    """
    previous = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD_CHARS)
    start = 1
    try:
        with open_text(path, encoding) as f:
            reader = csv.reader(f, strict=True)
            width = None
            try:
                while True:
                    start = reader.line_num + 1
                    try:
                        row = next(reader)
                    except StopIteration:
                        break
                    if reader.line_num - start >= MAX_RECORD_LINES:
                        raise ValueError(
                            f"{path}, line {start}: a quoted field runs over "
                            f"{reader.line_num - start + 1:,} lines; a quote is "
                            "probably not closed."
                        )
                    if width is None:
                        width = len(row)
                        seen = [c for c in row if row.count(c) > 1]
                        if seen:
                            raise ValueError(
                                f"{path}, line {start}: the header repeats the "
                                f"column {seen[0]!r}; give every column its own name."
                            )
                    elif len(row) != width and row:
                        raise ValueError(
                            f"{path}, line {start}: expected {width} fields "
                            f"like the header, found {len(row)}; quote texts that "
                            'contain commas ("…,…").'
                        )
                    if row:
                        yield start, row
            except UnicodeDecodeError:
                line = _decode_error_line(path, getattr(f, "encoding", encoding))
                raise ValueError(
                    f"{path}, line {line}: not {encoding} text; pass "
                    "the file's encoding, e.g. --encoding gbk or big5."
                ) from None
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    raise ValueError(
                        f"{path}, line {start}: a quoted field opened here is "
                        "never closed."
                    ) from None
                raise ValueError(
                    f"{path}, line {start}: {exc} (fields are limited to "
                    f"{MAX_FIELD_CHARS:,} characters)."
                ) from None
    finally:
        csv.field_size_limit(previous)


def csv_rows(path: str | PathLike[str], encoding: str = "utf-8") -> Iterator[list[str]]:
    """The rows of a CSV file, header first, checked as `numbered_rows` says."""
    for _, row in numbered_rows(path, encoding):
        yield row


def read_csv_frame(path: str | PathLike[str], encoding: str = "utf-8") -> Any:
    """A CSV file as a DataFrame of str, read with the checks of `numbered_rows`;
    ``df.attrs["lines"]`` holds the line each row starts on (for error messages)."""
    import pandas as pd

    rows = numbered_rows(path, encoding)
    first = next(rows, None)
    if first is None:
        raise ValueError(f"{path} is empty; expected a header row.")
    numbered = list(rows)
    df = pd.DataFrame(
        [row for _, row in numbered], columns=first[1], dtype=object
    ).astype(str)
    df.attrs["lines"] = [line for line, _ in numbered]
    return df


def stderr_is_terminal() -> bool:
    return bool(getattr(sys.stderr, "isatty", lambda: False)())
