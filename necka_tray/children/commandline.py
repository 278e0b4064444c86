"""Command lines shared by the CLI and the helper windows, so a window never imports ``cli/`` or ``tray/``.

``one_line_errors``: a bad argument is one line naming it (no usage dump),
exit 2. ``time_scale``: the argument type of a time scale (CLI and windows alike).
``self_command``: the command line that runs Necka itself (frozen or not),
for a process that starts another helper. Standard library only.
"""

from __future__ import annotations

import argparse
import sys

from necka_tray.texts.i18n import _


def one_line_errors(parser: argparse.ArgumentParser) -> None:
    """A bad argument is one line naming the command and the problem (no usage dump), exit 2."""
    def error(message: str):
        parser.exit(2, _("{prog}: error: {message} (see {prog} --help)").format(prog=parser.prog, message=message) + "\n")

    parser.error = error  # type: ignore[method-assign]


MAX_TIME_SCALE = 3600.0

#: Necka cannot run here at all (no graphical display, no folders, no tray backend): the tray's
#: start and every window command exit with it. 3 stays "no Necka is running" (README, exit codes).
EXIT_ENVIRONMENT = 5


class NoDisplay(RuntimeError):
    """A window could not reach a graphical display; its text is the one line to show."""


def time_scale(text: str) -> float:
    """Parse a time-scale factor: a number (ASCII) above 0 and at most ``MAX_TIME_SCALE``.

    Anything ``float`` reads as a number (``-1``, ``1e9``, ``inf``, ``nan``) is a number out of
    range, not "not a number": the message says what to change.
    """
    from necka_tray.core.durations import quoted

    stripped = text.strip()
    try:
        value = float(stripped) if stripped.isascii() and "_" not in stripped else None
    except ValueError:
        value = None
    if value is None:
        raise argparse.ArgumentTypeError(_("{value} is not a number (example: 60)").format(value=quoted(text)))
    if not (0 < value <= MAX_TIME_SCALE):  # NaN compares false: out of range too
        raise argparse.ArgumentTypeError(_("{value} is out of range: use a number above 0 and at most {most}").format(
            value=quoted(text), most=f"{MAX_TIME_SCALE:g}"))
    return value


def self_command(*args: str) -> list[str]:
    """The command line that runs this program with ``args`` (frozen or not)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "necka_tray", *args]
