"""Command line: ``necka-tray`` starts the tray; subcommands do one thing and exit.

Only argparse is imported up front; each command imports what it needs, so
``--help`` and ``--version`` answer at once and need no display. Bad input is
one clear line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from necka_tray import __version__

MAX_TIME_SCALE = 3600.0


def time_scale(text: str) -> float:
    """Parse a time-scale factor: a positive number up to ``MAX_TIME_SCALE``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (example: 60)") from None
    if not (0 < value <= MAX_TIME_SCALE):
        raise argparse.ArgumentTypeError(f"{text!r} is out of range: use a number above 0 and at most {MAX_TIME_SCALE:g}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="necka-tray",
        description="Necka lives in the system tray and reminds you to check your posture, "
        "roll your shoulders and take short guided neck stretch breaks.",
        epilog="Settings: config.toml in your user config folder (tray menu: Open settings file).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--time-scale",
        type=time_scale,
        metavar="FACTOR",
        help="make time run FACTOR times faster, to try Necka out (60: a configured minute lasts "
        "one second). Also read from NECKA_TIME_SCALE.",
    )
    parser.add_argument("--debug", action="store_true", help="log everything, to the terminal too")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="start the tray icon (the default)")
    session = sub.add_parser("session", help="open a guided stretch session window now")
    session.add_argument("--routine", metavar="ID", help="which routine to run (default: neck)")
    session.add_argument("--time-scale", type=time_scale, metavar="FACTOR", dest="session_time_scale",
                         help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    scale = args.time_scale
    if getattr(args, "session_time_scale", None) is not None:
        scale = args.session_time_scale
    if scale is None and os.environ.get("NECKA_TIME_SCALE"):
        try:
            scale = time_scale(os.environ["NECKA_TIME_SCALE"])
        except argparse.ArgumentTypeError as exc:
            parser.error(f"NECKA_TIME_SCALE: {exc}")
    from necka_tray.core.clock import TimeScale

    factor = TimeScale(scale or 1.0)
    try:
        if args.command == "session":
            from necka_tray.ui import session_window

            extra = ["--time-scale", repr(factor.factor)]
            if args.routine:
                extra += ["--routine", args.routine]
            return session_window.main(extra)
        from necka_tray.main import run_tray

        return run_tray(factor, debug=args.debug)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
