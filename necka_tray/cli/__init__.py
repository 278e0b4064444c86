"""Command line: ``necka-tray`` starts the tray; subcommands do one thing and exit.

Each subcommand lives in its own module under ``necka_tray/cli/`` with
``add_arguments(parser)`` and ``run(args) -> int``; this file only lists
them. Command modules import their heavy dependencies inside ``run``, so
``--help`` and ``--version`` answer at once and need no display. Bad input is
one clear line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from necka_tray import __version__

MAX_TIME_SCALE = 3600.0

#: Subcommand -> (module under necka_tray.cli, one-line help).
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "start the tray icon (the default)"),
    "session": ("session", "open a guided stretch session window now"),
    "status": ("status", "show what the running Necka is doing and where its files are"),
    "stretch": ("stretch", "have the running Necka open a stretch session (or open one here)"),
    "pause": ("pause", "pause the reminders: 30m, 1h, 2h, 1h30m, until-tomorrow"),
    "resume": ("resume", "end a pause now"),
    "snooze": ("snooze", "show the stretch break again later (default 10m)"),
    "skip": ("skip", "skip the due or next stretch break"),
    "quit": ("quit", "quit the running Necka"),
    "autostart": ("autostart", "start Necka at login: on, off or status"),
    "stats": ("stats", "show your history: today, the last days, streak, chart"),
    "checkin": ("checkin", "note how your neck feels, 0 (no pain) to 10 (worst pain)"),
    "info": ("info", "show when to see a professional (care) or what gives relief now (relief)"),
}


def time_scale(text: str) -> float:
    """Parse a time-scale factor: a positive number up to ``MAX_TIME_SCALE``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (example: 60)") from None
    if not (0 < value <= MAX_TIME_SCALE):
        raise argparse.ArgumentTypeError(f"{text!r} is out of range: use a number above 0 and at most {MAX_TIME_SCALE:g}")
    return value


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given ``argv``, only the command named there imports its module (start-up time)."""
    parser = argparse.ArgumentParser(
        prog="necka-tray",
        description="Necka lives in the system tray and reminds you to check your posture, "
        "roll your shoulders and take short guided neck stretch breaks.",
        epilog="Settings: config.toml in your user config folder (tray menu: Open settings file).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_common(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = _named_command(argv) if argv is not None else None
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".")
        # The global options also work after the command (necka-tray session --time-scale 60).
        _add_common(command, argparse.SUPPRESS)
        if wanted in (None, name):
            _command_module(module).add_arguments(command)
    return parser


def _add_common(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument(
        "--time-scale",
        type=time_scale,
        metavar="FACTOR",
        default=default,
        help="make time run FACTOR times faster, to try Necka out (60: a configured minute lasts "
        "one second). Also read from NECKA_TIME_SCALE.",
    )
    parser.add_argument("--debug", action="store_true", default=default,
                        help="log everything, to the terminal too")


def _named_command(argv: list[str]) -> str | None:
    """The command ``argv`` runs, if it names one (else None: every command gets its arguments)."""
    args = iter(argv)
    for arg in args:
        if arg == "--time-scale":
            next(args, None)
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return "run"


def _command_module(name: str):
    return importlib.import_module(f"necka_tray.cli.{name}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.time_scale is None and os.environ.get("NECKA_TIME_SCALE"):
        try:
            args.time_scale = time_scale(os.environ["NECKA_TIME_SCALE"])
        except argparse.ArgumentTypeError as exc:
            parser.error(f"NECKA_TIME_SCALE: {exc}")
    args.time_scale = args.time_scale or 1.0
    args.debug = bool(args.debug)
    module, _ = COMMANDS[args.command or "run"]
    if os.environ.get("NECKA_PARENT_PID"):  # a window the tray started: it ends with the tray
        from necka_tray.tray.children import bind_to_parent

        bind_to_parent()
    try:
        return _command_module(module).run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
