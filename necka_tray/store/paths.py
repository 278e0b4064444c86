"""Where Necka keeps its files.

Only this module asks platformdirs; everything else takes an ``AppPaths`` so
tests can point the whole app at a temporary directory.
"""

from __future__ import annotations

import os
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
        """
        for d in (self.config_dir, self.data_dir, self.log_dir, self.run_dir):
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


def _user_runtime_dir() -> Path | None:
    """XDG_RUNTIME_DIR/necka-tray; platformdirs warns (or refuses) when it must fall back to /tmp."""
    import warnings

    import platformdirs

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False))
    except OSError:
        return None

