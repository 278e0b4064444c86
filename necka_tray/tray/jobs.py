"""The functions APScheduler runs, stored under the names in ``FUNCTIONS``.

Jobs are pickled into the job store, which names their function by its key in
``FUNCTIONS`` rather than by this module's path (so the module may move); their
callables must be module-level and their arguments plain strings; they run on the scheduler's worker threads,
so they do nothing but hand an event to the app's dispatcher. The handler
below is the one module-level hook that persistence forces on us: the app sets
it at start and clears it at exit.
"""

from __future__ import annotations

import logging
from typing import Callable

logger = logging.getLogger(__name__)

Handler = Callable[..., None]
_handler: Handler | None = None
_tick_hook: Callable[[], None] | None = None


def set_handler(handler: Handler | None) -> None:
    """Route job runs to ``handler(event, *args)`` (``None`` to detach)."""
    global _handler
    _handler = handler


def set_tick_hook(hook: Callable[[], None] | None) -> None:
    """Also run ``hook()`` at every tick, on the scheduler's worker thread (cheap file checks
    that must not run on the dispatcher, e.g. that the control socket still exists)."""
    global _tick_hook
    _tick_hook = hook


def _post(event: str, *args: str) -> None:
    handler = _handler
    if handler is None:
        logger.warning("job=%s args=%s ran with no app attached; ignored", event, args)
        return
    handler(event, *args)


def fire_reminder(kind: str) -> None:
    """A reminder kind's interval has run out."""
    _post("reminder", kind)


def end_pause() -> None:
    """The user's pause is over."""
    _post("end_pause")


def tick() -> None:
    """Refresh what the tray shows (in-memory job, once a configured minute)."""
    _post("tick")
    hook = _tick_hook
    if hook is not None:
        try:
            hook()
        except Exception:
            logger.exception("job=tick hook failed")


def lull() -> None:
    """Time to look again for a lull in typing (one-shot, in memory)."""
    _post("lull")


#: Every job function by the name the job store keeps in its rows. A name is forever: never
#: rename or reuse a key (stored jobs would be dropped at the next start), add new ones.
FUNCTIONS: dict[str, Callable[..., None]] = {
    "fire_reminder": fire_reminder,
    "end_pause": end_pause,
    "tick": tick,
    "lull": lull,
}
