"""Hand edits of config.toml reach the running tray on its minute tick (one ``stat``; no watcher of its own)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from necka_tray.core.reminders import Kind
from necka_tray.store import config

if TYPE_CHECKING:
    from necka_tray.owner.app import App

logger = logging.getLogger(__name__)


def pick_up_hand_edits(app: App) -> None:
    """Apply a hand edit of config.toml within a minute, on this tick (no watcher of its own):
    one ``stat``, and a re-read only when its time, size or inode changed."""
    stamp = config.stamp(app.config_file)
    if stamp == app.config_stamp:
        return
    app.config_stamp = stamp
    loaded = config.load(app.config_file)
    for message in loaded.problems:
        logger.warning("%s", message)
    if loaded.settings == app.settings:
        return
    old, app.settings = app.settings, loaded.settings
    logger.info("action=settings-reloaded file=%s", app.config_file)
    app.presence.configure(app.settings)
    now = app.p.clock.now()
    for kind in Kind:
        if old.reminder(kind) != app.settings.reminder(kind):
            app.p.scheduler.apply(kind, app.interval_of(kind), now)
    app.snapshot = app.p.scheduler.snapshot()
