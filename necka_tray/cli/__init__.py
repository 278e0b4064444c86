"""Command line: ``necka-tray`` starts the tray; subcommands do one thing and exit.

Each subcommand lives in its own module under ``necka_tray/cli/`` with
``add_arguments(parser)`` and ``run(args) -> int``; this file only lists
them. Command modules import their heavy dependencies inside ``run``, so
``--help`` and ``--version`` answer at once and need no display.

No traceback ever reaches the user: a bad argument is one line
(``necka-tray pause: error: ...``) and exit code 2; output that cannot be
encoded is written with ``?``; a reader that went away (``| head``) ends the
command quietly; anything unexpected is one line on stderr, the traceback
goes to the log file, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from necka_tray import __version__
from necka_tray.children.commandline import EXIT_ENVIRONMENT, MAX_TIME_SCALE, NoDisplay, one_line_errors, time_scale
from necka_tray.texts.i18n import N_, _

EXIT_UNEXPECTED = 1

#: Subcommand -> (module under necka_tray.cli, one-line help).
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", N_("start the tray icon (the default)")),
    "session": ("session", N_("open a guided stretch session window now")),
    "status": ("status", N_("show what the running Necka is doing and where its files are")),
    "stretch": ("stretch", N_("have the running Necka open a stretch session (or open one here)")),
    "pause": ("pause", N_("pause the reminders: 30m, 1h, 2h, 1h30m, until-tomorrow")),
    "resume": ("resume", N_("end a pause now")),
    "snooze": ("snooze", N_("show the stretch break again later (default 10m)")),
    "skip": ("skip", N_("skip the due or next stretch break")),
    "quit": ("quit", N_("quit the running Necka")),
    "autostart": ("autostart", N_("start Necka at login: on, off or status")),
    "stats": ("stats", N_("show your history: today, the last days, streak, chart")),
    "checkin": ("checkin", N_("note how your neck feels, 0 (no pain) to 10 (worst pain)")),
    "info": ("info", N_("show when to see a professional (care) or what gives relief now (relief)")),
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given ``argv``, only the command named there imports its module (start-up time)."""
    parser = argparse.ArgumentParser(
        prog="necka-tray",
        description=_("Necka lives in the system tray and reminds you to check your posture, "
                      "roll your shoulders and take short guided neck stretch breaks."),
        epilog=_("Settings: config.toml in your user config folder (tray menu: Open settings file)."),
    )
    from necka_tray.cli.argparse_texts import VERSION_HELP

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}", help=_(VERSION_HELP))
    one_line_errors(parser)
    _add_common(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = _named_command(argv) if argv is not None else None
    parser.commands = {}  # type: ignore[attr-defined]  # name -> its parser, for errors in its name
    for name, (module, help_text) in COMMANDS.items():
        help_text = _(help_text)
        command = sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".")
        one_line_errors(command)
        parser.commands[name] = command  # type: ignore[attr-defined]
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
        help=_("make time run FACTOR times faster, to try Necka out (60: a configured minute lasts "
               "one second). Also read from NECKA_TIME_SCALE."),
    )
    parser.add_argument("--debug", action="store_true", default=default,
                        help=_("log everything, to the terminal too"))


def _named_command(argv: list[str]) -> str | None:
    """The command ``argv`` runs, if it names one (else None: every command gets its arguments)."""
    args = iter(argv)
    for arg in args:
        if arg == "--time-scale":
            next(args, None)
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return "run"


def use_language() -> None:
    """Follow the ``ui.language`` setting, and have argparse's own texts ("usage:") translated too.

    Only that one key is read here, cheaply (every command and the tray's start pay for it): the
    settings' full check, which reports a bad value, runs where the settings are loaded.
    """
    from necka_tray.texts import i18n
    from necka_tray.cli import argparse_texts

    i18n.set_language(_language_setting())
    argparse_texts.install()


def _language_setting() -> str | None:
    import tomllib

    from necka_tray.texts import i18n
    from necka_tray.store.fsutil import read_user_file
    from necka_tray.store.paths import AppPaths

    try:
        raw = read_user_file(AppPaths.for_user().config_file, 64 << 10)
        value = tomllib.loads(raw.decode("utf-8-sig")).get("ui", {}).get("language")
    except (OSError, ValueError, KeyError, RuntimeError, RecursionError, AttributeError):
        return None  # no file, or a broken one: the environment decides (and the loader says what is wrong)
    return value if isinstance(value, str) and value in ("auto", *i18n.available()) else None


def _command_module(name: str):
    return importlib.import_module(f"necka_tray.cli.{name}")


def negatives_as_values(argv: list[str]) -> list[str]:
    """``-1h``, ``-inf``, ``-1e9`` reach their parser as values (which says what is wrong with them),
    not argparse's "unknown option": glued to the option before them (``--time-scale=-inf``), or
    after ``--`` when they stand alone (``pause -- -1h``). Necka has no option that starts ``-<digit>``."""
    out: list[str] = []
    for i, arg in enumerate(argv):
        if len(arg) > 1 and arg[0] == "-" and (arg[1].isdigit() or arg[1] == "." or arg[1:].lower() in ("inf", "nan")):
            if out and out[-1].startswith("--") and "=" not in out[-1] and out[-1] != "--":
                out[-1] = f"{out[-1]}={arg}"
            elif "--" not in out:
                out += ["--", arg]
            else:
                out.append(arg)
            continue
        out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = negatives_as_values(sys.argv[1:] if argv is None else argv)
    _replace_unencodable(sys.stdout)
    command = "necka-tray"
    try:
        use_language()
        parser = build_parser(argv)
        args, extra = parser.parse_known_args(argv)
        if extra:  # in the command's name: `necka-tray pause: error: unrecognized arguments: 2h`
            parser.commands.get(args.command, parser).error(_("unrecognized arguments: %s") % " ".join(extra))
        command = f"necka-tray {args.command or 'run'}"
        if args.time_scale is None and os.environ.get("NECKA_TIME_SCALE"):
            try:
                args.time_scale = time_scale(os.environ["NECKA_TIME_SCALE"])
            except argparse.ArgumentTypeError as exc:
                parser.error(f"NECKA_TIME_SCALE: {exc}")
        args.time_scale = args.time_scale or 1.0
        args.debug = bool(args.debug)
        module, _help = COMMANDS[args.command or "run"]
        if os.environ.get("NECKA_PARENT_PID"):  # a window the tray started: it ends with the tray
            from necka_tray.children.helpers import bind_to_parent

            bind_to_parent()
        code = _command_module(module).run(args)
        try:
            sys.stdout.flush()  # here, not at exit: a reader that went away is no error of ours
        except BrokenPipeError:
            _discard_stdout()
        return code
    except NoDisplay as exc:  # a window command with no display: one line, like the tray's own
        print(f"{command}: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `necka-tray status --json | true`: the reader wanted no more
        _discard_stdout()
        return 0
    except Exception as exc:  # a bug, or a case nobody foresaw: one line, the traceback in the log
        return _unexpected(command, exc)


def _replace_unencodable(stream) -> None:
    """PYTHONIOENCODING=ascii, a C locale: write ``?`` for what the terminal cannot show."""
    try:
        stream.reconfigure(errors="replace")
    except (AttributeError, ValueError):  # not a text file (a test's capture), or None
        pass


def _discard_stdout() -> None:
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _unexpected(command: str, exc: Exception) -> int:
    """One line on stderr; the traceback appended to Necka's log file (0600, like the log itself)."""
    import time
    import traceback

    try:
        from necka_tray.store.paths import AppPaths

        log_file = AppPaths.for_user().log_file
        log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", errors="replace") as f:
            f.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} ERROR {__name__} {command} failed\n")
            f.write("".join(traceback.format_exception(exc)))
        where = _("details in {path}").format(path=log_file)
    except Exception as log_exc:  # the log itself failed: the line below still says what happened
        where = _("the log could not be written ({error})").format(error=type(log_exc).__name__)
    text = " ".join(str(exc).split())[:200]
    try:
        print(_("{command}: unexpected error ({error}); {where}").format(
            command=command, error=f"{type(exc).__name__}: {text}", where=where), file=sys.stderr)
    except Exception:
        pass
    return EXIT_UNEXPECTED


if __name__ == "__main__":
    sys.exit(main())
