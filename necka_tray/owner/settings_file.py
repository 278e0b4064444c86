"""config.toml for the running tray: a menu change written, a hand edit picked up on the minute tick.

Plain values in, plain values out (``App`` applies what changed): one ``stat``
a tick, a re-read only when the file changed, and no watcher of its own.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from necka_tray.store import config
from necka_tray.texts.i18n import _

logger = logging.getLogger(__name__)


def hand_edit(config_file: Path, stamp: Any, settings: config.Settings) -> tuple[Any, config.Settings | None]:
    """``(stamp, settings)`` after a hand edit of config.toml, or ``(stamp, None)`` when nothing changed:
    one ``stat``, and a re-read only when its time, size or inode changed."""
    now_stamp = config.stamp(config_file)
    if now_stamp == stamp:
        return stamp, None
    loaded = config.load(config_file)
    for message in loaded.problems:
        logger.warning("%s", message)
    if loaded.settings == settings:
        return now_stamp, None
    logger.info("action=settings-reloaded file=%s", config_file)
    return now_stamp, loaded.settings


def save(config_file: Path, settings: config.Settings, changes: dict[str, Any],
         notify: Callable[[str, str], Any]) -> config.Settings:
    """Write a menu change to config.toml; if that fails it still applies until quit (and ``notify`` says so)."""
    try:
        for message in config.update(config_file, changes):
            logger.warning("%s", message)
    except OSError as exc:
        logger.warning("Could not save %s (%s); the change applies until Necka quits.", config_file, exc)
        notify(_("Necka settings"), _("Could not save your change to {path}.").format(path=config_file))
        return settings.replace(changes)
    return config.load(config_file).settings
