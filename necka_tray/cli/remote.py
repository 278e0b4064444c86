"""What the commands that talk to the running Necka share: the request, its output, exit codes.

A command prints the app's one-line answer and exits 0; when no Necka runs
it says so on stderr and exits ``EXIT_NOT_RUNNING``, but when one runs with no
socket to reach it (its runtime folder removed or full) it says that, and
why if the app noted it, and exits ``EXIT_NO_CHANNEL``; when the app refuses
(or the channel fails) it prints the reason and exits ``EXIT_FAILED``; when
the request went out but no answer came, it says the command may have taken
effect and exits ``EXIT_UNANSWERED`` (never "try again": a new run is a new
command). Bad arguments never get here: argparse rejects them with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any, Callable
from necka_tray.texts.i18n import N_, _

EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3
EXIT_UNANSWERED = 4
#: A Necka runs (it holds the instance lock) but its control socket is not there: nothing was sent.
EXIT_NO_CHANNEL = 6
NOT_RUNNING = N_("Necka is not running (start it with: necka-tray)")


def no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def duration(allowed: tuple[timedelta, timedelta], whole_minutes: bool = False) -> Callable[[str], timedelta]:
    """An argparse ``type`` for a duration like ``45m`` within ``allowed`` (``whole_minutes``: not ``90s``),
    so every mistake in it is said the same way: ``necka-tray snooze: error: argument DURATION: ...``."""
    from necka_tray.core.durations import EXAMPLES, EXAMPLES_MINUTES, parse_duration

    def parse(text: str) -> timedelta:
        try:
            value = parse_duration(text, *allowed, examples=EXAMPLES_MINUTES if whole_minutes else EXAMPLES)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if whole_minutes and value.total_seconds() % 60:
            raise argparse.ArgumentTypeError(_("snooze takes whole minutes, not {seconds} seconds (example: 10m)").format(
                seconds=int(value.total_seconds())))
        return value

    return parse


def paths():
    from necka_tray.store.paths import AppPaths

    return AppPaths.for_user()


def ask(command: str, **args: Any) -> tuple[int, dict[str, Any] | None]:
    """Send ``command``; on failure print why and return (exit code, None)."""
    from necka_tray.channel import control
    from necka_tray.channel import ipc

    try:
        reply = control.ask(paths(), command, **args)
    except ipc.NotRunning:
        return unreachable(paths()) or fail(_(NOT_RUNNING), EXIT_NOT_RUNNING), None
    except ipc.ControlError as exc:
        return channel_failed(exc), None
    if not reply.get("ok"):
        return fail(str(reply.get("error", _("the running Necka refused the request")))), None
    return 0, reply


def send(command: str, **args: Any) -> int:
    """Send ``command`` and print the answer: the whole of most commands."""
    code, reply = ask(command, **args)
    if reply is not None and reply.get("message"):
        print(reply["message"])
    return code


def window(command: str, here: Callable[[], int], **args: Any) -> int:
    """A window command: the running tray opens the window (it then knows it is open, records what it
    reports and closes it at quit); only with no tray running does ``here`` open it in this process."""
    from necka_tray.channel import control
    from necka_tray.channel import ipc

    try:
        reply = control.ask(paths(), command, **args)
    except ipc.NotRunning:
        return unreachable(paths()) or here()  # never a second window beside a running tray
    except ipc.ControlError as exc:
        return channel_failed(exc)
    if not reply.get("ok"):
        return fail(str(reply.get("error", _("the running Necka refused the request"))))
    print(reply["message"])
    return 0


def unreachable(where: Any) -> int:
    """0 when no Necka runs; else say that the running one cannot be reached now, and why: exit code."""
    from necka_tray.channel import instance

    pid = instance.running(where)
    if pid is None:
        return 0
    return fail(unreachable_text(where, pid), EXIT_NO_CHANNEL)


def unreachable_text(where: Any, pid: int) -> str:
    from necka_tray.channel import instance

    reason = instance.channel_note(where)
    if reason:
        return _("Necka is running (pid {pid}) but commands cannot reach it: {reason}; it tries again every "
                 "minute.").format(pid=pid, reason=reason)
    return _("Necka is running (pid {pid}) but its control channel is being rebuilt; try again in a "
             "minute.").format(pid=pid)


def channel_failed(exc: Exception) -> int:
    """One line for a failed exchange; exit 4 when the command may have taken effect."""
    from necka_tray.channel import ipc

    return fail(str(exc), EXIT_UNANSWERED if isinstance(exc, ipc.Unanswered) else EXIT_FAILED)


def fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"necka-tray: {message}", file=sys.stderr)
    return code
