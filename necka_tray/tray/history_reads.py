"""The tray's reads of the history (the day's roll-up, today's menu lines): a failure never takes the tray down.

A file that cannot be read is said once per file and kind of trouble
(``store/dbfile.py``, keyed like the history writer's own report), not at every
refresh; anything else is a bug and is logged with its traceback.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from necka_tray.store import dbfile
from necka_tray.i18n import _

logger = logging.getLogger(__name__)


def guarded(stats: Any, what: str, read: Callable[..., Any], *args: Any) -> Any:
    """``read(*args)``, or None when the history (``stats``) fails it."""
    try:
        return read(*args)
    except Exception as exc:
        failed(stats, what, exc)
        return None


def failed(stats: Any, what: str, exc: Exception) -> None:
    if dbfile.classify(exc) is None:
        logger.error("action=history-%s failed", what, exc_info=exc)
        return
    logger.debug("action=history-%s failed", what, exc_info=exc)
    path = getattr(stats, "path", _("the history"))
    dbfile.report(path, dbfile.classify(exc), _("Necka cannot read its history {path} ({error}); the day's "
                                                "numbers in the menu wait until it can.").format(path=path, error=exc))
