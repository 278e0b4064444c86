"""The activation token a tray host hands over with a click, passed on to the window that click opens.

On Wayland a new window gets the focus only with a token from the compositor
(xdg-activation); Plasma and GNOME's AppIndicator extension give one through the
StatusNotifierItem's ``ProvideXdgActivationToken`` just before ``Activate``.
``offer`` keeps the latest; the next window helper started within ``TTL_S``
takes it (``env``: ``XDG_ACTIVATION_TOKEN`` for Wayland toolkits, and
``DESKTOP_STARTUP_ID``, the same token, for X11 ones under Xwayland): a token
is good for one window, and a stale one from a click long ago is dropped.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)

#: A window opened this long after the click no longer came from it.
TTL_S = 10.0

_lock = threading.Lock()
_token: tuple[str, float] | None = None


def offer(token: str, now: float | None = None) -> None:
    global _token
    with _lock:
        _token = (token, time.monotonic() if now is None else now) if token else None
    logger.debug("action=activation-token offered=%s", bool(token))


def take(now: float | None = None) -> str | None:
    """The token offered in the last ``TTL_S`` seconds, once; None when there is none."""
    global _token
    with _lock:
        token, _token = _token, None
    now = time.monotonic() if now is None else now
    return token[0] if token and now - token[1] <= TTL_S else None


#: The variables that carry a token to a new process.
VARIABLES = ("XDG_ACTIVATION_TOKEN", "DESKTOP_STARTUP_ID")


def env(now: float | None = None) -> dict[str, str]:
    """The variables that hand the token (if any) to a window helper."""
    token = take(now)
    return dict.fromkeys(VARIABLES, token) if token else {}


def inherited(environ) -> dict[str, str]:
    """``environ`` without a token: the one Necka itself was started with was used by its launcher."""
    return {k: v for k, v in environ.items() if k not in VARIABLES}
