"""Writes ``necka-tray.1`` from the real argument parser, so the man page cannot drift from the CLI.

Run at package build time (packaging/debian/rules): ``python3 packaging/manpage.py OUT``.
It needs only the standard library and the ``necka_tray`` source next to it (the
parser imports no dependency), and renders in English whatever the build's locale.
argparse has no public way to list a parser's arguments, so ``_actions`` is read
here (read only, at build time, as argparse-manpage and shtab do).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Options every command accepts too (``necka-tray session --debug``): documented once, at the top.
COMMON = ("--time-scale", "--debug")


def roff(text: str) -> str:
    """Plain text as roff: backslashes and dashes escaped, no line starting with a control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line[:1] in (".", "'") else line for line in text.splitlines())


def invocation(action: argparse.Action) -> str:
    """``\\fB\\-\\-days\\fR \\fIN\\fR``, or a positional's metavar or choices."""
    if not action.option_strings:
        name = action.metavar or ("{" + ",".join(action.choices) + "}" if action.choices else action.dest.upper())
        return f"\\fI{roff(name)}\\fR"
    names = ", ".join(f"\\fB{roff(s)}\\fR" for s in action.option_strings)
    if action.nargs == 0:
        return names
    return f"{names} \\fI{roff(action.metavar or action.dest.upper())}\\fR"


def arguments(parser: argparse.ArgumentParser, skip: tuple[str, ...] = ()) -> list[str]:
    lines = []
    for action in parser._actions:  # noqa: SLF001 - see the module docstring
        if isinstance(action, (argparse._SubParsersAction, argparse._HelpAction)):  # noqa: SLF001
            continue
        if action.help == argparse.SUPPRESS or set(action.option_strings) & set(skip):
            continue
        lines += [".TP", invocation(action), roff(action.help % {"prog": parser.prog} if action.help else "")]
    return lines


def usage(parser: argparse.ArgumentParser) -> str:
    text = " ".join(parser.format_usage().split())
    return text.removeprefix("usage: ")


def page(parser: argparse.ArgumentParser, commands: dict[str, tuple[str, str]], version: str) -> str:
    lines = [
        f'.TH NECKA\\-TRAY 1 "" "necka-tray {roff(version)}" "User Commands"',
        ".SH NAME",
        "necka\\-tray \\- posture checks, shoulder rolls and neck stretch breaks from the system tray",
        ".SH SYNOPSIS",
        f".B necka\\-tray\n{roff(usage(parser).removeprefix('necka-tray '))}",
        ".SH DESCRIPTION",
        roff(parser.description or ""),
        ".PP",
        "Without a command, or with \\fBrun\\fR, it starts the tray icon; a second start opens a stretch "
        "session in the running one and exits. The other commands do one thing and exit, most of them "
        "by asking the running Necka.",
        ".SH OPTIONS",
        ".TP",
        "\\fB\\-h\\fR, \\fB\\-\\-help\\fR",
        "show the help (also after a command) and exit",
        *arguments(parser),
        ".SH COMMANDS",
    ]
    for name, (_module, help_text) in commands.items():
        command = parser.commands[name]  # type: ignore[attr-defined]  # necka_tray.cli.build_parser sets it
        lines += [".SS " + roff(name), ".B " + roff(usage(command)), ".PP", roff(help_text[:1].upper() + help_text[1:])
                  + "."]
        own = arguments(command, skip=COMMON)
        if own:
            lines += [".RS", *own, ".RE"]
    lines += [
        ".SH ENVIRONMENT",
        ".TP", "\\fBNECKA_TIME_SCALE\\fR", "the \\fB\\-\\-time\\-scale\\fR factor, when the option is not given",
        ".SH FILES",
        ".TP", "\\fI~/.config/necka\\-tray/config.toml\\fR",
        "the settings (Necka writes a commented one on first start; the tray menu edits it in place)",
        ".TP", "\\fI~/.local/share/necka\\-tray/\\fR", "the schedule and the history (SQLite databases)",
        ".TP", "\\fI~/.config/autostart/io.github.necka.Necka.desktop\\fR", "the Start at login entry",
        ".PP",
        "Removing the package leaves these in place.",
        ".SH SEE ALSO",
        "\\fBnecka\\-tray status\\fR prints where each of these files is on this system.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: manpage.py OUT.1", file=sys.stderr)
        return 2
    os.environ["LANGUAGE"] = "en"  # the page is English, whatever the build's locale
    sys.path.insert(0, str(ROOT))
    from necka_tray import __version__
    from necka_tray.cli import COMMANDS, build_parser

    Path(argv[0]).write_text(page(build_parser(), COMMANDS, __version__), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
