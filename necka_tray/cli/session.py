"""``necka-tray session``: a guided stretch session, opened by the running tray (or here when none runs)."""

from __future__ import annotations

import argparse

from necka_tray.cli import remote
from necka_tray.texts.i18n import _


def routine(text: str) -> str:
    """A routine id the user's catalogue has, checked here whether or not a tray runs: with one, an
    unknown id (or ``""``) was passed on, and the tray ran its default and said "Opened a stretch session."."""
    from necka_tray.core.routine import parse_routine_id
    from necka_tray.store.routines import load_catalogue

    try:
        parse_routine_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    from necka_tray.core.clock import SystemClock
    from necka_tray.store.routines import RoutineBook

    paths = remote.paths()
    routines = load_catalogue(paths.routines_file).routines
    if text not in routines:
        raise argparse.ArgumentTypeError(_("unknown routine {value}; choose from: {allowed}").format(
            value=repr(text), allowed=", ".join(routines)))
    why = RoutineBook(paths.routines_file, paths.history_db).locked(routines[text], SystemClock().now())
    if why:  # with a tray running it ran the default instead, and said "Opened a stretch session."
        raise argparse.ArgumentTypeError(_("routine {id} {why}").format(id=repr(text), why=why))
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--routine", metavar="ID", type=routine,
                        help=_("which routine to run (default: session.default_routine in the settings, neck)"))


def run(args: argparse.Namespace) -> int:
    def here() -> int:
        from necka_tray.windows import session_window

        argv = ["--time-scale", repr(args.time_scale)]
        if args.routine is not None:
            argv += ["--routine", args.routine]
        return session_window.main(argv)

    return remote.window("session", here, **({"routine": args.routine} if args.routine is not None else {}))
