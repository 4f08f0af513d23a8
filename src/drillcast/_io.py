"""Safe input and output: bounded reading, atomic writes that never overwrite an input, safe CSV cells.

Output semantics (the same for every command and every ``-o``):

- ``-`` is standard output;
- a symbolic link is followed: its target is replaced atomically and the link stays a link;
- a FIFO, character device or other non-regular file (``/dev/null``, ``/dev/stdout``, a named
  pipe) is written to directly and never replaced;
- a regular file is written to a temporary file in the same folder, then renamed over it, so a
  failure or an interrupt leaves the previous file untouched and no temporary file behind;
- a new file gets the permissions the umask allows (``0o666 & ~umask``), an existing file keeps
  its mode;
- an output that is an input (same real path, same file, or a same-named copy with the same
  bytes, such as the repository's ``data/exercises.csv`` when the installed copy is read) is
  refused. Inside :func:`guard_outputs` (the command line runs every command in one), "input"
  means every file the command read (:func:`read_input_bytes` notes each one) or declared it will
  read (:func:`note_inputs`), on top of the ``inputs`` a call names: one rule in one place, so no
  command can forget a file.

Files that are edited in place (a catalogue by ``data add``, a ledger by ``ledger record``) are
changed under :func:`edit_lock`, a lock keyed by the *resolved* path, so two names for one file
take one lock.

Several files that belong together (a catalogue and its ``series.csv``, a report and its
figures) are written with :class:`OutputTransaction`: all or nothing.

Inputs are read once, in bounded chunks, with the byte limit checked as they are read.
Every operating-system error on an input or output path becomes a
:class:`~drillcast.errors.DataError` or :class:`~drillcast.errors.OutputError` naming the path
and the reason (see :func:`os_reason`).
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from drillcast.errors import OutputError

__all__ = [
    "atomic_write",
    "check_output_path",
    "edit_lock",
    "guard_outputs",
    "note_inputs",
    "neutralise_cell",
    "read_input_bytes",
    "os_reason",
    "OutputTransaction",
    "MAX_BYTES",
    "STDOUT",
]

MAX_BYTES = 256 * 2**20  # input files larger than this are refused, checked while reading
CHUNK = 2**20  # bytes read at a time
STDOUT = "-"  # the output path meaning standard output

LOCK_TIMEOUT = 60.0  # seconds to wait for another process editing the same file
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_HINTS = {
    errno.ELOOP: "a symlink loop",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENAMETOOLONG: "shorten the name",
    errno.ENXIO: "not a regular file: a socket or a device without a reader?",
    errno.EIO: "not a regular file?",
    errno.EINVAL: "not a regular file?",
}


def os_reason(exc: OSError) -> str:
    """The system's reason for an operating-system error, with a hint where it helps
    (``Too many levels of symbolic links (a symlink loop)``); no errno numbers, no class names."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    hint = _HINTS.get(exc.errno)
    return f"{reason} ({hint})" if hint else reason


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


# --------------------------------------------------------------------------- what a command reads


class _Inputs:
    """The files (and folders) one command read or will read; outputs may be none of them."""

    __slots__ = ("files", "folders")

    def __init__(self):
        self.files: list[str] = []
        self.folders: list[str] = []


_COMMAND_INPUTS: contextvars.ContextVar[_Inputs | None] = contextvars.ContextVar("drillcast_inputs", default=None)


@contextlib.contextmanager
def guard_outputs() -> Iterator[None]:
    """Within this block, every output is checked against every input noted in it.

    The command line runs each command inside one: every file read through
    :func:`read_input_bytes` and every path given to :func:`note_inputs` is
    then an input that :func:`check_output_path`, :func:`atomic_write` and
    :class:`OutputTransaction` refuse to write over, whichever command wrote
    it and whether the file was read before or after the output was checked.
    Outside such a block only the ``inputs`` a call names are protected.
    """
    token = _COMMAND_INPUTS.set(_Inputs())
    try:
        yield
    finally:
        _COMMAND_INPUTS.reset(token)


def note_inputs(*paths: str | os.PathLike | None, folder: bool = False) -> None:
    """Note files the current command reads or will read (no effect outside :func:`guard_outputs`).

    With ``folder=True`` each path is a folder whose every file is an input
    (a ledger's archive of catalogues). None and ``-`` are ignored.
    """
    scope = _COMMAND_INPUTS.get()
    if scope is None:
        return
    bucket = scope.folders if folder else scope.files
    for p in paths:
        if p is None or str(p) == STDOUT:
            continue
        bucket.append(os.fspath(p))


def _noted_inputs() -> tuple[list[str], list[str]]:
    scope = _COMMAND_INPUTS.get()
    return ([], []) if scope is None else (list(scope.files), list(scope.folders))


def _inside(real: str, folders: Iterable[str]) -> bool:
    for f in folders:
        top = os.path.realpath(f)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return True
    return False


@contextlib.contextmanager
def edit_lock(path: str | os.PathLike, *, folder: bool = False, timeout: float | None = None) -> Iterator[Path]:
    """Hold the lock on a file edited in place; yield the resolved path.

    The lock is keyed by the *resolved* path (symbolic links followed), so two
    names of one file (or, with ``folder=True``, of one folder: a catalogue
    and its ``series.csv``) take the same lock. Re-read the file under the
    lock, change it, write it atomically, then leave the block.

    A file's lock is ``<real path>.lock`` beside it (kept, as the ledger's has
    always been). A folder's lock is ``.drillcast.lock`` in it, created
    exclusively and removed on release (as git's ``index.lock``), so an edited
    data folder holds nothing new afterwards; a process killed outright leaves
    it behind, and the next edit says to remove it.

    Raises
    ------
    OutputError
        Another process held the lock for more than ``timeout`` seconds (default
        :data:`LOCK_TIMEOUT`), or the lock file cannot be created.
    """
    from filelock import FileLock, SoftFileLock, Timeout

    timeout = LOCK_TIMEOUT if timeout is None else timeout
    real = Path(os.path.realpath(path))
    lock = real / ".drillcast.lock" if folder else real.with_name(real.name + ".lock")
    kind = SoftFileLock if folder else FileLock
    try:
        with kind(str(lock), timeout=timeout):
            yield real
    except Timeout:
        raise OutputError(f"{path}: locked by another drillcast process for more than {timeout:.0f} s; if none "
                          f"runs, remove {lock}") from None
    except OSError as exc:
        if exc.filename is not None and os.fspath(exc.filename) == str(lock):
            raise OutputError(f"{path}: cannot take the lock {lock} ({os_reason(exc)}); "
                              "edit a copy in a writable folder") from None
        raise


# --------------------------------------------------------------------------- reading


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a NUL in every other byte."""
    sample = data[:200]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]

    def mostly_zero(b):
        return b.count(0) >= 0.9 * len(b)

    def mostly_text(b):
        return sum(32 <= c < 127 or c in (9, 10, 13) for c in b) >= 0.9 * len(b)

    return (mostly_zero(odd) and mostly_text(even)) or (mostly_zero(even) and mostly_text(odd))


def read_input_bytes(path: str | os.PathLike, what: str, empty: str, *, limit: int | None = None) -> bytes:
    """Read an input file once, in bounded chunks, or raise one DataError saying what is wrong.

    ``what`` names the expected file ("an MME v7 CSV file"); ``empty`` is the
    message for an empty file. The size limit (:data:`MAX_BYTES`, or
    ``limit``) is checked as the bytes arrive, so an endless stream
    (``/dev/zero``, ``/dev/urandom``, a pipe) is refused after at most
    ``limit`` bytes, and a NUL byte anywhere stops reading at once.
    Missing, directory, socket, unreadable, too large, empty and binary
    files are refused; every operating-system error names the path and the reason.
    """
    from drillcast.errors import DataError

    path = Path(path)
    note_inputs(path)
    limit = MAX_BYTES if limit is None else int(limit)
    too_large = (f"drillcast reads files up to {limit / 2**20:g} MiB: split it by series or by decade")
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise DataError(f"{path}: no such file; give the path of {what}") from None
        raise DataError(f"{path}: cannot read: {os_reason(exc)}; give the path of {what}") from None
    if stat.S_ISDIR(st.st_mode):
        raise DataError(f"{path}: is a directory; give the path of {what}")
    if stat.S_ISSOCK(st.st_mode):
        raise DataError(f"{path}: is a socket, not a file; give the path of {what}")
    if stat.S_ISREG(st.st_mode) and st.st_size > limit:
        raise DataError(f"{path}: the file is {st.st_size / 2**20:.0f} MiB; {too_large}")
    chunks: list[bytes] = []
    total = 0
    try:
        with open(path, "rb", buffering=0) as fh:
            while True:
                chunk = fh.read(min(CHUNK, limit + 1 - total))
                if not chunk:
                    break
                nul = chunk.find(b"\x00")
                if nul >= 0:
                    offset = total + nul
                    line = sum(c.count(b"\n") for c in chunks) + chunk.count(b"\n", 0, nul) + 1
                    where = "" if offset < 65536 else f":{line}"
                    head = (chunks[0] if chunks else chunk)[:2]
                    if head in (b"\xff\xfe", b"\xfe\xff") or (offset < 4 and _looks_utf16(chunk)):
                        raise DataError(f"{path}: this is UTF-16 text; drillcast reads UTF-8: save it as CSV "
                                        f"UTF-8 (e.g. 'iconv -f UTF-16 -t UTF-8') and try again; expected {what}")
                    raise DataError(
                        f"{path}{where}: this is a binary file, not CSV text (it contains a NUL byte at offset "
                        f"{offset:,}); expected {what}: export the table as CSV (UTF-8) and try again")
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise DataError(f"{path}: more than {limit / 2**20:g} MiB read and the input does not end; "
                                    f"{too_large}")
    except OSError as exc:
        if exc.errno == errno.EACCES:
            raise DataError(f"{path}: permission denied; make the file readable") from None
        raise DataError(f"{path}: cannot read: {os_reason(exc)}; give the path of {what}") from None
    raw = b"".join(chunks)
    del chunks
    if not raw.strip():
        raise DataError(f"{path}: {empty}")
    return raw


def decode_error(raw: bytes, encoding: str = "utf-8") -> UnicodeDecodeError | None:
    """The first decoding error of ``raw`` with ``start`` as an absolute offset, or None (bounded memory)."""
    import codecs

    dec = codecs.getincrementaldecoder(encoding)()
    for pos in range(0, len(raw), CHUNK):
        held = len(dec.getstate()[0])
        try:
            dec.decode(raw[pos:pos + CHUNK], final=pos + CHUNK >= len(raw))
        except UnicodeDecodeError as exc:
            return UnicodeDecodeError(exc.encoding, raw, pos - held + exc.start, pos - held + exc.end, exc.reason)
    return None


def text_lines(raw: bytes, encoding: str = "utf-8-sig"):
    """A line iterator over ``raw`` decoded in chunks (no second full-size copy of the text)."""
    import io

    return io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")


# --------------------------------------------------------------------------- writing


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _inputs_clash(target: Path, inputs: Iterable[str | os.PathLike], folders: Iterable[str] = ()) -> bool:
    """True if writing ``target`` would overwrite one of ``inputs`` or a file inside one of ``folders``."""
    real = os.path.realpath(target)
    if _inside(real, folders):
        return True
    try:
        tst = os.stat(target)
    except OSError:
        tst = None
    for i in inputs:
        if i is None or str(i) == STDOUT:
            continue
        if os.path.realpath(i) == real:
            return True
        if tst is None:
            continue
        try:
            ist = os.stat(i)
        except OSError:
            continue
        if (ist.st_dev, ist.st_ino) == (tst.st_dev, tst.st_ino):
            return True
        # A same-named copy with the same bytes (the repository's data/exercises.csv when the installed
        # bundled copy is the input): overwriting it would overwrite the input's source.
        if (stat.S_ISREG(tst.st_mode) and stat.S_ISREG(ist.st_mode) and tst.st_size == ist.st_size
                and Path(real).name == Path(os.path.realpath(i)).name and _same_bytes(target, i)):
            return True
    return False


def _same_bytes(a, b) -> bool:
    try:
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                x, y = fa.read(CHUNK), fb.read(CHUNK)
                if x != y:
                    return False
                if not x:
                    return True
    except OSError:
        return False


def _stat_or_none(path, shown, fix: str = ""):
    """``os.stat(path)``, None if it does not exist; any other OS error is an OutputError naming ``shown``."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {os_reason(exc)}{fix}") from None


def _target(p: Path) -> tuple[Path, os.stat_result | None]:
    """The file a write to ``p`` lands in (symlinks followed) and its stat (None if it does not exist)."""
    st = _stat_or_none(p, p, "; choose another output path")
    target = Path(os.path.realpath(p)) if os.path.islink(p) else p
    return target, st


def check_output_path(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), *,
                      replacing: bool = False) -> Path:
    """Check that ``path`` can be written and is not one of ``inputs``; return the path written to.

    ``-`` (standard output) is always writable. A symlink is followed; the
    returned path is its target. Inside :func:`guard_outputs`, every input
    the command noted counts too. ``replacing=True`` is an in-place edit of
    ``path`` itself (under :func:`edit_lock`): it may be an input.

    Raises
    ------
    OutputError
        If the directory is missing or not writable, the path is a directory
        or a socket, the path cannot be resolved (a symlink loop, a name too
        long, a file used as a directory), or the path is an input file
        (drillcast never overwrites its inputs).
    """
    if str(path) == STDOUT:
        return Path(STDOUT)
    p = Path(path)
    target, st = _target(p)
    files, folders = _noted_inputs()
    if not replacing and _inputs_clash(target, [*inputs, *files], folders):
        raise OutputError(f"{p}: this is an input file; drillcast never overwrites its inputs: choose another output path")
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{p}: is a directory; give a file name such as {p / 'out.csv'}")
        if stat.S_ISSOCK(st.st_mode):
            raise OutputError(f"{p}: is a socket, not a file; choose another output path")
        if not stat.S_ISREG(st.st_mode):
            return target  # written directly: a FIFO or a device
        if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise OutputError(f"{p}: the file is read-only; drillcast does not replace a read-only file: "
                              "choose another output path, or make it writable (chmod u+w) first")
    parent = target.parent if str(target.parent) else Path(".")
    try:
        pst = os.stat(parent)
    except FileNotFoundError:
        raise OutputError(f"{p}: the directory {parent} does not exist; create it first (mkdir -p {parent})") from None
    except OSError as exc:
        raise OutputError(f"{p}: cannot write: {os_reason(exc)}; choose another output path") from None
    if not stat.S_ISDIR(pst.st_mode):
        raise OutputError(f"{p}: {parent} is not a directory ({_kind(pst.st_mode)}); choose another output path")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{p}: the directory {parent} is not writable; choose a writable location")
    return target


def _to_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _write_direct(target: Path, data: bytes, shown: Path) -> None:
    """Write to standard output, a FIFO or a device: no temporary file, no rename."""
    if str(target) == STDOUT:
        out = getattr(sys.stdout, "buffer", None)
        if out is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            out.write(data)
        sys.stdout.flush()
        return
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {os_reason(exc)}") from None


class _Staged:
    __slots__ = ("shown", "target", "data", "tmp", "backup", "existed", "direct")

    def __init__(self, shown, target, data):
        self.shown, self.target, self.data = shown, target, data
        self.tmp = self.backup = None
        self.existed = self.direct = False


class OutputTransaction:
    """Write several output files all or nothing.

    Every file is first written in full to a temporary file beside its
    target (:meth:`add`); :meth:`commit` then renames them all into place.
    If anything fails or is interrupted before the commit, every temporary
    file is removed and no target is touched. If a rename fails during the
    commit, the targets already replaced are restored from hard-link
    backups of their previous versions (or removed if they were new), so the
    error message "nothing was written" stays true. Targets that cannot be
    staged (standard output, a FIFO, a device) are written directly, after
    every rename succeeded.

    Use it as a context manager: leaving the block normally commits,
    leaving it with an exception aborts.

    Parameters
    ----------
    inputs : iterable of path-like
        Files that must never be overwritten (checked for every :meth:`add`).

    Examples
    --------
    >>> with OutputTransaction(inputs=["in.csv"]) as tx:        # doctest: +SKIP
    ...     tx.add("out/exercises.csv", catalogue_bytes)
    ...     tx.add("out/series.csv", series_bytes)
    ...     tx.add("out/report.json", report_text)
    """

    def __init__(self, inputs: Iterable[str | os.PathLike] = (), *, replacing: Iterable[str | os.PathLike] = ()):
        self.inputs = tuple(inputs)
        self.replacing = {os.path.realpath(p) for p in replacing}  # files edited in place (may be inputs)
        self._staged: list[_Staged] = []
        self.written: list[Path] = []

    def __enter__(self) -> "OutputTransaction":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
        return False

    def add(self, path: str | os.PathLike, data: bytes | str) -> Path:
        """Check ``path`` and stage ``data`` for it (written in full to a temporary file now).

        Raises
        ------
        OutputError
            The path is an input, cannot be written, or is already part of this transaction.
        """
        shown = Path(path)
        try:
            target = check_output_path(path, self.inputs, replacing=os.path.realpath(path) in self.replacing)
            key = os.path.realpath(target) if str(target) != STDOUT else STDOUT
            if any((os.path.realpath(s.target) if str(s.target) != STDOUT else STDOUT) == key for s in self._staged):
                raise OutputError(f"{shown}: given twice as an output; choose a different path for each output")
            item = _Staged(shown, target, _to_bytes(data))
            self._staged.append(item)
            if str(target) == STDOUT:
                item.direct = True
                return shown
            st = _stat_or_none(target, shown)
            if st is not None and not stat.S_ISREG(st.st_mode):
                item.direct = True
                return shown
            item.existed = st is not None
            mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
            self._stage(item, mode)
        except BaseException:
            self.abort()
            raise
        return shown

    def _stage(self, item: _Staged, mode: int) -> None:
        folder = item.target.parent if str(item.target.parent) else Path(".")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{item.target.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise OutputError(f"{item.shown}: cannot write here ({os_reason(exc)}); choose a writable location") from None
        item.tmp = tmp
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(item.data)
                fh.flush()
                os.fchmod(fh.fileno(), mode)
                os.fsync(fh.fileno())
        except OSError as exc:
            raise OutputError(f"{item.shown}: cannot write ({os_reason(exc)}); nothing was written: "
                              "check the disk space and permissions") from None
        item.data = b""  # staged on disk; free the memory

    def commit(self) -> list[Path]:
        """Rename every staged file into place, then write the direct targets; return the paths given."""
        done: list[_Staged] = []
        renamed = [s for s in self._staged if not s.direct]
        try:
            if len(renamed) > 1:
                for item in renamed:
                    if item.existed:
                        try:  # a hard link to the previous version, to restore it if a later rename fails
                            os.link(item.target, f"{item.tmp}.bak")
                            item.backup = f"{item.tmp}.bak"
                        except OSError:
                            item.backup = None  # no hard links here: best effort
            for item in self._staged:
                if item.direct:
                    continue
                try:
                    os.replace(item.tmp, item.target)
                except OSError as exc:
                    raise OutputError(f"{item.shown}: cannot write ({os_reason(exc)}); nothing was written: "
                                      "check the disk space and permissions") from None
                item.tmp = None
                done.append(item)
        except BaseException:
            self._rollback(done)
            self.abort()
            raise
        for item in self._staged:
            if item.direct:
                _write_direct(item.target, item.data, item.shown)
        self._remove_backups()
        self.written = [s.shown for s in self._staged]
        self._staged = []
        return self.written

    def _rollback(self, done: list[_Staged]) -> None:
        for item in reversed(done):
            try:
                if item.backup:
                    os.replace(item.backup, item.target)
                    item.backup = None
                elif not item.existed:
                    os.unlink(item.target)
            except OSError:
                pass

    def _remove_backups(self) -> None:
        for item in self._staged:
            for name in (item.tmp, item.backup):
                if name:
                    try:
                        os.unlink(name)
                    except OSError:
                        pass
            item.tmp = item.backup = None

    def abort(self) -> None:
        """Remove every temporary file; leave every target as it was."""
        self._remove_backups()
        self._staged = []


def atomic_write(path: str | os.PathLike, data: bytes | str, inputs: Iterable[str | os.PathLike] = (), *,
                 replacing: bool = False) -> Path:
    """Write ``data`` to ``path`` with the module's output semantics (see the module docstring).

    A regular file is written to a temporary file in the same directory,
    then renamed; a failure or an interrupt leaves the previous file (if any)
    untouched and no temporary file behind. ``-`` writes to standard output;
    a FIFO or device is written directly; a symlink's target is replaced.
    ``replacing=True`` edits ``path`` in place (it may be an input; hold
    :func:`edit_lock` around the read and the write).
    """
    with OutputTransaction(inputs, replacing=[path] if replacing else ()) as tx:
        tx.add(path, data)
    return Path(path)


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
