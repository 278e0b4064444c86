"""``necka-tray autostart on|off|status``: start Necka when you log in (no running Necka needed)."""

from __future__ import annotations

import argparse

from necka_tray.cli import remote
from necka_tray.texts.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("state", choices=("on", "off", "status"), help=_("turn it on or off, or show it"))


def run(args: argparse.Namespace) -> int:
    from necka_tray.desktop import autostart
    from necka_tray.channel import control
    from necka_tray.channel import ipc

    if args.state != "status":
        try:
            autostart.set(args.state == "on")
        except OSError as exc:
            return remote.fail(_("cannot turn start at login {state} ({error})").format(state=args.state, error=_why(exc)))
        try:  # a running Necka shows the new state in its menu at once
            control.ask(remote.paths(), "refresh")
        except (ipc.NotRunning, ipc.ControlError):
            pass
    try:
        on = autostart.enabled()
    except OSError as exc:  # the autostart folder is a file, the entry a folder or unreadable: the file's problem
        return remote.fail(_why(exc))
    print(_("Start at login: {state}").format(state=_("on") if on else _("off")))
    return 0


def _why(exc: OSError) -> str:
    """One line naming the file and what is wrong with it (``[Errno 17] File exists: '...'`` is neither)."""
    from necka_tray.store.fsutil import UserFileError

    if isinstance(exc, UserFileError) or not exc.strerror:
        return str(exc)
    return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
