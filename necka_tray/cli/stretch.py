"""``necka-tray stretch``: the running Necka opens a stretch session; with none running, open one here."""

from __future__ import annotations

import argparse

from necka_tray.cli import remote
from necka_tray.cli.remote import no_arguments as add_arguments  # noqa: F401


def run(args: argparse.Namespace) -> int:
    from necka_tray.tray import control
    from necka_tray.tray import ipc

    try:
        reply = control.ask(remote.paths(), "session")
    except ipc.NotRunning:
        from necka_tray.cli import session

        args.routine = None
        return session.run(args)  # no tray to tell when it ends: just the window
    except ipc.ControlError as exc:
        return remote.channel_failed(exc)
    if not reply.get("ok"):
        return remote.fail(str(reply.get("error")))
    print(reply["message"])
    return 0
