"""``necka-tray pause 30m|1h|2h|until-tomorrow``: hold every reminder for a while."""

from __future__ import annotations

import argparse

from necka_tray.cli import remote
from necka_tray.texts.i18n import _

UNTIL_TOMORROW = ("until-tomorrow", "tomorrow")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from necka_tray.channel.control import PAUSE_RANGE

    duration = remote.duration(PAUSE_RANGE)
    parser.add_argument(
        "duration", metavar="DURATION",
        type=lambda text: "tomorrow" if text.strip().lower() in UNTIL_TOMORROW else duration(text),
        help=_("how long: 30m, 1h, 2h, 1h30m, 90s (up to 24h), or until-tomorrow (06:00)"))


def run(args: argparse.Namespace) -> int:
    if args.duration == "tomorrow":
        return remote.send("pause", until="tomorrow")
    return remote.send("pause", minutes=args.duration.total_seconds() / 60)
