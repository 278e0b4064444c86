"""What ``necka-tray status|stretch|pause|...`` may ask the running tray, and how it answers.

A request is a JSON object ``{"command": ..., <arguments>}``; a reply is
``{"ok": true, "message": ..., "status": {...}}`` or ``{"ok": false, "error": ...}``.
``Handler`` runs on the app's dispatcher thread (``ipc_server.Server`` posts it
there) and turns each request into the same ``Action`` a menu click makes,
so the CLI can do nothing the menu cannot; it sees the app only through the
small ``Controls`` facade. Every argument is checked here: the peer is
authenticated, but its data is still just data.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from datetime import timedelta
from typing import Any, Callable, Protocol

from necka_tray.core.actions import Action, Verb
from necka_tray.store.paths import AppPaths
from necka_tray.channel import ipc
from necka_tray.texts.i18n import _, lower_first

logger = logging.getLogger(__name__)

#: The longest pause and snooze the CLI offers ("until-tomorrow" covers the night).
PAUSE_RANGE = (timedelta(minutes=1), timedelta(days=1))
SNOOZE_RANGE = (timedelta(minutes=1), timedelta(hours=4))
SNOOZE_DEFAULT_MINUTES = 10
#: How long a second ``necka-tray`` waits for a starting first one to answer.
HAND_OVER_TIMEOUT = 15.0

#: command -> the arguments it may carry.
COMMANDS: dict[str, frozenset[str]] = {
    "status": frozenset(),
    "session": frozenset({"routine"}),
    "open": frozenset({"window", "page", "days"}),  # the check-in, info and statistics windows
    "pause": frozenset({"minutes", "until"}),
    "resume": frozenset(),
    "snooze": frozenset({"minutes"}),
    "skip": frozenset(),
    "quit": frozenset(),
    "refresh": frozenset(),
}


def ask(paths: AppPaths, command: str, request_id: str | None = None, **args: Any) -> dict[str, Any]:
    """Send one command to the running Necka (ipc.NotRunning / ipc.ControlError on failure).

    Resend a command only with the same ``request_id``: the app then answers it once.
    """
    return ipc.request(paths, {"command": command, **args}, request_id=request_id)


def where(paths: AppPaths) -> dict[str, str]:
    """Where the user's files live (shown by ``necka-tray status``)."""
    return {"config": str(paths.config_file), "data": str(paths.data_dir), "logs": str(paths.log_dir)}


def hand_over(paths: AppPaths, timeout: float = HAND_OVER_TIMEOUT) -> int:
    """A second ``necka-tray`` start: ask the running one for a session; one line, exit 0.

    The first instance takes its lock before its tray appears and answers only
    once the icon is up, so a start right after it may wait a moment here; one
    that has held the lock longer than that and has no socket cannot be reached
    (its runtime folder was removed): exit 1 at once, never a second tray.
    """
    from necka_tray.channel import instance

    deadline = time.monotonic() + timeout
    request_id = ipc.new_id()  # one command, however often it is sent
    while True:
        try:
            reply = ask(paths, "session", request_id=request_id)
            break
        except (ipc.NotRunning, ipc.ControlError) as exc:
            pid, age = instance.holder(paths)
            # The running one said why it has no socket (a full runtime folder): no use waiting.
            noted = instance.channel_note(paths) if isinstance(exc, ipc.NotRunning) else None
            if time.monotonic() > deadline or noted or (isinstance(exc, ipc.NotRunning) and age > timeout):
                who = _(" (pid {pid})").format(pid=pid) if pid else ""
                why = noted or (_("its control socket is gone") if isinstance(exc, ipc.NotRunning) else str(exc))
                print("necka-tray: " + _("Necka is already running{who} but cannot be reached at {address} ({why}); "
                                         "it makes its socket again within a minute, or quit it from its tray "
                                         "menu.").format(who=who, address=ipc.address(paths), why=why),
                      file=sys.stderr)
                return 1
            time.sleep(0.2)
    if reply.get("ok"):
        print(_("Necka is already running: {what}").format(what=lower_first(reply.get("message", ""))))
        return 0
    print("necka-tray: " + _("Necka is already running; {error}").format(error=reply.get("error")), file=sys.stderr)
    return 1


class Controls(Protocol):
    """What the control socket may do to the app (``App`` provides it)."""

    def status(self) -> dict[str, Any]: ...

    def act(self, action: Action) -> None: ...

    def act_later(self, action: Action) -> None: ...

    def refresh(self) -> None: ...


class Handler:
    """Answers requests for one app; ``about`` holds the facts the app does not own (paths, backend)."""

    def __init__(self, app: Controls, about: dict[str, Any]) -> None:
        self.app = app
        self.about = about
        self._commands: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "status": lambda request: self._ok(""), "session": self._session, "open": self._open,
            "pause": self._pause,
            "resume": self._resume, "snooze": self._snooze, "skip": lambda request: self._act(Action(Verb.SKIP)),
            "quit": self._quit, "refresh": self._refresh,
        }

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        command = request.get("command")
        if not isinstance(command, str) or command not in COMMANDS:
            return _error(_("unknown command {command}").format(command=repr(_shown(command))))
        extra = set(request) - {"command"} - COMMANDS[command]
        if extra:
            return _error(_("{command}: unexpected {keys}").format(command=command, keys=", ".join(sorted(extra))[:80]))
        # A status bar may ask for the status every few seconds: keep that out of the normal log.
        level = logging.DEBUG if command in ("status", "refresh") else logging.INFO
        logger.log(level, "action=control command=%s", command)
        try:
            return self._commands[command](request)
        except ValueError as exc:
            return _error(f"{command}: {exc}")

    def status(self) -> dict[str, Any]:
        return {**self.app.status(), **self.about}

    # -- commands ----------------------------------------------------------------

    def _session(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.app.status()["session_running"]:
            return self._ok(_("A stretch session is already open."))
        routine = request.get("routine")
        self.app.act(Action(Verb.SESSION) if routine is None else Action(Verb.ROUTINE, routine))
        if not self.app.status()["session_running"]:
            return _error(_("could not open the stretch session window (see Necka's log)"))
        return self._ok(_("Opened a stretch session."))

    def _open(self, request: dict[str, Any]) -> dict[str, Any]:
        """``necka-tray checkin|info|stats --window`` with a tray running: the tray opens (and records) it."""
        window = request.get("window")
        if window == "checkin" and set(request) == {"command", "window"}:
            action, message = Action(Verb.CHECKIN), _("Opened the check-in window.")
        elif window == "info" and set(request) == {"command", "window", "page"}:
            action, message = Action(Verb.INFO, request["page"]), _("Opened the page.")
        elif window == "statistics" and set(request) <= {"command", "window", "days"}:
            action, message = Action(Verb.STATISTICS, request.get("days")), _("Opened the statistics window.")
        else:
            raise ValueError(_("no such window: {window}").format(window=repr(_shown(window))))
        self.app.act(action)
        return self._ok(message)

    def _pause(self, request: dict[str, Any]) -> dict[str, Any]:
        if "until" in request:
            if request["until"] != "tomorrow" or "minutes" in request:
                raise ValueError(_('"until" can only be "tomorrow", without "minutes"'))
            choice: str | float = "tomorrow"
        else:
            choice = _minutes(request.get("minutes"), PAUSE_RANGE)
        return self._act(Action(Verb.PAUSE, choice))

    def _resume(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.app.status()["paused_until"] is None:
            return self._ok(_("Necka was not paused."))
        self.app.act(Action(Verb.RESUME))
        return self._ok(_("Reminders are back on: {state}").format(
            state=lower_first(_sentence(self.app.status()["tooltip"]))))

    def _snooze(self, request: dict[str, Any]) -> dict[str, Any]:
        minutes = _minutes(request.get("minutes", SNOOZE_DEFAULT_MINUTES), SNOOZE_RANGE)
        if minutes != int(minutes):
            raise ValueError(_("use whole minutes"))
        if self.app.status()["paused_until"] is not None:  # nothing to snooze: do nothing, record nothing
            return self._ok(_("Nothing snoozed: {state}").format(state=lower_first(_sentence(self.app.status()["tooltip"]))))
        return self._act(Action(Verb.SNOOZE, int(minutes)))

    def _quit(self, request: dict[str, Any]) -> dict[str, Any]:
        # After this reply is sent: the server is stopped (and waits for the send) on the way out.
        self.app.act_later(Action(Verb.QUIT))
        return {"ok": True, "message": _("Necka is quitting.")}

    def _refresh(self, request: dict[str, Any]) -> dict[str, Any]:
        self.app.refresh()
        return self._ok("")

    # -- helpers -------------------------------------------------------------------

    def _act(self, action: Action) -> dict[str, Any]:
        self.app.act(action)
        status = self.app.status()
        said = _sentence(status["tooltip"])
        if action.verb in (Verb.SNOOZE, Verb.SKIP) and status.get("state", "active") != "active":
            # Away, quiet or outside working hours, the tooltip names that state and not what the command
            # did ("Away since 19:16." after a snooze): say when the stretch break comes now too.
            left = (status.get("reminders") or {}).get("stretch", {}).get("minutes_left")
            if left:
                from necka_tray.core.reminders import Kind

                said += " " + _sentence(_("{reminder} in {minutes} min").format(reminder=Kind.STRETCH.label,
                                                                              minutes=left))
        return self._ok(said)

    def _ok(self, message: str) -> dict[str, Any]:
        return {"ok": True, "message": message, "status": self.status()}


def _minutes(value: Any, allowed: tuple[timedelta, timedelta]) -> float:
    """A number of minutes within ``allowed`` (JSON numbers only; no bools, NaN or infinities).

    The range is checked before any float conversion: ``math.isfinite(10**400)`` would raise OverflowError.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            isinstance(value, float) and not math.isfinite(value):
        raise ValueError(_('"minutes" must be a number'))
    low, high = (bound.total_seconds() / 60 for bound in allowed)
    if not low <= value <= high:
        raise ValueError(_('"minutes" must be from {least} to {most}').format(least=f"{low:g}", most=f"{high:g}"))
    return value


def _shown(value: Any) -> str:
    """A value for an error message: short text, never a huge number or a deep structure spelled out."""
    if isinstance(value, str) or isinstance(value, (bool, float, type(None))) or \
            isinstance(value, int) and abs(value) < 10**15:
        return str(value)[:40]
    return f"<{type(value).__name__}>"


def _sentence(tooltip: str) -> str:
    """``Necka: paused until 14:30`` -> ``Paused until 14:30.``"""
    text = tooltip.split(": ", 1)[-1]  # "Necka: " in the tray's language
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _error(message: str) -> dict[str, Any]:
    return {"ok": False, "error": message}
