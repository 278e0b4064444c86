"""Where Necka keeps its files.

Only this module asks platformdirs; everything else takes an ``AppPaths`` so
tests can point the whole app at a temporary directory.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from necka_tray import APP_NAME


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    #: For the control socket and its key: per session, private (None: use data_dir).
    runtime_dir: Path | None = None
    #: For what can be made again (the tray icon's bitmaps); None: use data_dir.
    cache_dir: Path | None = None

    @classmethod
    def for_user(cls) -> "AppPaths":
        """The per-user directories of this OS (XDG on Linux)."""
        import platformdirs  # when the paths are first asked: tests use their own

        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
            runtime_dir=_user_runtime_dir(),
            cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        )

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def routines_file(self) -> Path:
        """The user's own routines (same format as the shipped ``data/routines.toml``)."""
        return self.config_dir / "routines.toml"

    @property
    def state_file(self) -> Path:
        """What the windows remember (the safety note was read, the session window's place)."""
        return self.data_dir / "state.json"

    @property
    def jobs_db(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def run_dir(self) -> Path:
        return self.runtime_dir or self.data_dir

    @property
    def log_file(self) -> Path:
        return self.log_dir / "necka-tray.log"

    def ensure(self) -> None:
        """Create the directories, readable by the user only (raises when one cannot be created).

        An existing directory whose mode cannot be set (not the user's own) is used as
        it is: what cannot be written there is said when it happens, and Necka runs on.
        The socket's folder in the session's runtime folder is made when it can be, never required:
        only the control server needs it, and it says once why it cannot make it (a full or
        read-only runtime folder) and tries again; a check-in, a session or the tray's start never
        fail for it.
        """
        for d in (self.config_dir, self.data_dir, self.log_dir):
            _make_private(d)
        if self.run_dir != self.data_dir:
            try:  # only its last part: the runtime folder above it is the session's, never made here
                self.run_dir.mkdir(mode=0o700, exist_ok=True)
            except OSError:
                pass


def _make_private(d: Path) -> None:
    # Missing parents too are made 0700 (as the XDG spec asks): mkdir(parents=True) would
    # make them 0755, and the log dir's parent is Necka's own (state/necka-tray/log).
    for missing in reversed([a for a in (d, *d.parents) if not a.exists()]):
        missing.mkdir(mode=0o700, exist_ok=True)
    # mkdir's mode does not apply to directories that already exist.
    if os.name == "posix":
        try:
            os.chmod(d, 0o700)
        except PermissionError:
            pass


#: Why the session's runtime folder is not used, once ``for_user`` has looked: (folder, reason) or None.
_runtime_problem: tuple[Path, str, str] | None = None


def runtime_problem() -> str | None:
    """Why ``XDG_RUNTIME_DIR`` (or the platform's runtime folder) is not used, one line: for the tray to say once."""
    if _runtime_problem is None:
        return None
    from necka_tray.texts.i18n import _

    base, sentence, error = _runtime_problem
    return _(sentence).format(path=base, error=error)


def _user_runtime_dir() -> Path | None:
    """XDG_RUNTIME_DIR/necka-tray; platformdirs warns (or refuses) when it must fall back to /tmp.

    The runtime folder itself is the session's to make (logind makes /run/user/UID): one that does
    not exist, is not a folder or is another user's is never made or used (as root, mkdir would
    make ``/nonexistent/x``); None then, and the control socket lives in the data folder.
    """
    import warnings

    global _runtime_problem
    named = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    xdg = sys.platform not in ("win32", "darwin")
    # Looked at first: a newer platformdirs would fall back to a folder in /tmp of its own making.
    _runtime_problem = _unusable(Path(named)) if named and xdg else None
    if _runtime_problem:
        return None
    import platformdirs

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            path = Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False))
    except OSError:
        return None
    _runtime_problem = _unusable(path.parent)
    return None if _runtime_problem else path


def _unusable(base: Path) -> tuple[Path, str, str] | None:
    """What is wrong with the session's runtime folder, or None (it is a folder of this user's)."""
    from necka_tray.texts.i18n import N_

    try:
        info = base.stat()
    except FileNotFoundError:
        return base, N_("the runtime folder {path} does not exist; Necka keeps its control socket in its data "
                        "folder instead."), ""
    except OSError as exc:
        return base, N_("the runtime folder {path} cannot be used ({error}); Necka keeps its control socket in "
                        "its data folder instead."), str(exc.strerror or exc)
    if not os.path.isdir(base):
        return base, N_("the runtime folder {path} is not a folder; Necka keeps its control socket in its data "
                        "folder instead."), ""
    if os.name == "posix" and info.st_uid != os.getuid():
        return base, N_("the runtime folder {path} belongs to another user; Necka keeps its control socket in "
                        "its data folder instead."), ""
    return None

