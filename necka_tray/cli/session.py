"""``necka-tray session``: open a guided stretch session window (its own process when started from the tray)."""

from __future__ import annotations

import argparse
from necka_tray.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--routine", metavar="ID", help=_("which routine to run (default: session.default_routine in the settings, neck)"))


def run(args: argparse.Namespace) -> int:
    from necka_tray.windows import session_window

    argv = ["--time-scale", repr(args.time_scale)]
    if args.routine:
        argv += ["--routine", args.routine]
    return session_window.main(argv)
