"""``necka-tray session``: a guided stretch session, opened by the running tray (or here when none runs)."""

from __future__ import annotations

import argparse

from necka_tray.cli import remote
from necka_tray.texts.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--routine", metavar="ID", help=_("which routine to run (default: session.default_routine in the settings, neck)"))


def run(args: argparse.Namespace) -> int:
    def here() -> int:
        from necka_tray.windows import session_window

        argv = ["--time-scale", repr(args.time_scale)]
        if args.routine:
            argv += ["--routine", args.routine]
        return session_window.main(argv)

    return remote.window("session", here, **({"routine": args.routine} if args.routine else {}))
