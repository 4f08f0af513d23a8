"""Safe output: atomic writes that never overwrite an input, and safe CSV cells."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from drillcast.errors import OutputError

__all__ = ["atomic_write", "check_output_path", "neutralise_cell", "read_input_bytes", "MAX_BYTES"]

MAX_BYTES = 256 * 2**20  # input files larger than this are refused before reading

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read_input_bytes(path: Path, what: str, empty: str) -> bytes:
    """Read an input file whole, or raise one DataError saying what is wrong and how to fix it.

    ``what`` names the expected file ("an MME v7 CSV file"); ``empty`` is the
    message for an empty file. Missing, directory, unreadable, too large,
    empty and binary (NUL bytes) files are refused.
    """
    from drillcast.errors import DataError

    try:
        size = path.stat().st_size
        if size > MAX_BYTES and path.is_file():
            raise DataError(f"{path}: the file is {size / 2**20:.0f} MiB; drillcast reads files up to "
                            f"{MAX_BYTES // 2**20} MiB: split it by series or by decade")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file; give the path of {what}") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory; give the path of {what}") from None
    except PermissionError:
        raise DataError(f"{path}: permission denied; make the file readable") from None
    if not raw.strip():
        raise DataError(f"{path}: {empty}")
    if b"\x00" in raw[:65536]:
        raise DataError(f"{path}: this is a binary file, not CSV text (it contains NUL bytes); "
                        f"expected {what}: export the table as CSV (UTF-8) and try again")
    return raw


def check_output_path(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """Check that ``path`` can be written and is not one of ``inputs``.

    Raises
    ------
    OutputError
        If the directory is missing or not writable, the path is a directory,
        or the path is an input file (drillcast never overwrites its inputs).
    """
    p = Path(path)
    for i in inputs:
        try:
            if Path(i).exists() and p.exists() and os.path.samefile(p, i):
                raise OutputError(f"{p}: this is an input file; drillcast never overwrites its inputs: choose another output path")
        except OSError:
            pass
        if Path(i).resolve() == p.resolve():
            raise OutputError(f"{p}: this is an input file; drillcast never overwrites its inputs: choose another output path")
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise OutputError(f"{p}: is a directory; give a file name such as {p / 'out.csv'}")
    if not parent.is_dir():
        raise OutputError(f"{p}: the directory {parent} does not exist; create it first (mkdir -p {parent})")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{p}: the directory {parent} is not writable; choose a writable location")
    return p


def atomic_write(path: str | os.PathLike, data: bytes | str, inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, then rename.

    A failure or an interrupt leaves the previous file (if any) untouched and no
    temporary file behind.
    """
    p = check_output_path(path, inputs)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent if str(p.parent) else ".")
    except OSError as exc:
        raise OutputError(f"{p}: cannot write here ({exc.strerror}); choose a writable location") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"{p}: cannot write ({exc.strerror}); nothing was written: "
                              "check the disk space and permissions") from None
        raise
    return p


def neutralise_cell(value):
    """Prefix a cell that a spreadsheet would run as a formula with a single quote (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if value[0] in "+-":
            try:
                float(value)  # a plain signed number is data, not a formula
                return value
            except ValueError:
                pass
        return "'" + value
    return value
