"""Crash-safe writes and hang-proof reads of the user's files.

A reader sees either the old file or the new one, never a half-written one:
the bytes go to a temporary file in the same directory, are flushed to disk,
and replace the target with one ``os.replace``. A process killed between the
two leaves its temporary file behind; the next write of the same file removes
such leftovers once they are old enough to be nobody's write in progress.
The temporary file is made here rather than with ``tempfile.mkstemp``: the
tray writes files all day, and ``tempfile`` brings ``shutil``, ``random``,
``bz2`` and ``lzma`` (~0.8 MiB) for the two lines it would do.
A symlink (a dotfiles setup) stays a symlink: its target is what is replaced, and keeps its mode.

Every reader of a file in the user's folders goes through :func:`read_user_file`
(or :func:`open_user_file` to seek in a large cache),
so a FIFO, a device or a huge file there is refused by name instead of hanging
or filling memory.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import BinaryIO

from necka_tray.texts.i18n import N_, _

#: A temporary file this old belongs to a write that was killed (a write takes milliseconds).
STALE_SECONDS = 10.0


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` (or the file a symlink at ``path`` points to) with ``data`` atomically,
    with ``mode`` (readable by the user only); a symlink's existing target keeps its own mode: it
    is the user's file elsewhere (a dotfiles repository), whose mode is theirs to choose."""
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            pass  # a dangling link: a new file, made with ``mode``
    _remove_stale_temporaries(path)
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if os.name == "posix":
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


#: O_EXCL: never someone else's file; O_NOFOLLOW: never through a planted link; O_BINARY: Windows.
_CREATE = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
           | getattr(os, "O_BINARY", 0))


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file ``.<name>.<8 hex digits>.tmp`` beside ``path``, mode 0600: (fd, its path)."""
    for _attempt in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(tmp, _CREATE, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _remove_stale_temporaries(path: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for tmp in path.parent.glob(f".{path.name}.????????.tmp"):  # _create_temporary's names, for this file only
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
        except OSError:
            pass


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX only; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class UserFileError(OSError):
    """A user's file Necka will not read: ``str()`` is the reason, one line naming the file."""


def open_user_file(path: Path) -> BinaryIO:
    """A user's regular file opened for reading, without ever blocking.

    A FIFO, socket or device (even behind a symlink: dotfile symlinks to regular files keep
    working) would block the open or never end, so the open is non-blocking and anything but a
    regular file is refused. Raises FileNotFoundError when nothing is there, UserFileError (an
    OSError, ``str()`` naming the path and the reason) for anything else that cannot be used.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise
    except OSError as e:  # a socket cannot be opened at all (ENXIO): still name what it is
        try:
            _require_regular(path, os.stat(path).st_mode)
        except OSError as named:
            if isinstance(named, UserFileError):
                raise named from None
        raise UserFileError(_("{path}: cannot be read ({error})").format(path=path, error=e.strerror or e)) from None
    try:
        _require_regular(path, os.fstat(fd).st_mode)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_user_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a user's file (``open_user_file``), at most ``max_bytes`` of them: a larger
    file is refused by name, and no more than ``max_bytes + 1`` bytes are ever read."""
    path = Path(path)
    with open_user_file(path) as f:
        try:
            if os.fstat(f.fileno()).st_size > max_bytes:
                raise UserFileError(_("{path}: is too large (over {most} bytes); it is not read").format(
                    path=path, most=max_bytes))
            data = f.read(max_bytes + 1)
        except UserFileError:
            raise
        except OSError as e:
            raise UserFileError(_("{path}: cannot be read ({error})").format(path=path, error=e.strerror or e)) from None
    if len(data) > max_bytes:  # grew while being read
        raise UserFileError(_("{path}: is too large (over {most} bytes); it is not read").format(
            path=path, most=max_bytes))
    return data


def _require_regular(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise UserFileError(_("{path}: is {kind}, not a regular file; it is not read").format(path=path, kind=_kind(mode)))


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, N_("a directory")), (stat.S_ISFIFO, N_("a named pipe (FIFO)")),
                       (stat.S_ISSOCK, N_("a socket")), (stat.S_ISCHR, N_("a device")), (stat.S_ISBLK, N_("a device"))):
        if test(mode):
            return _(name)
    return _("not a regular file")
