"""``necka-tray snooze [10m]``: show the stretch break again a little later."""

from __future__ import annotations

import argparse

from necka_tray.cli import remote
from necka_tray.texts.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from datetime import timedelta

    from necka_tray.channel.control import SNOOZE_DEFAULT_MINUTES, SNOOZE_RANGE

    parser.add_argument("duration", metavar="DURATION", nargs="?", type=remote.duration(SNOOZE_RANGE, whole_minutes=True),
                        default=timedelta(minutes=SNOOZE_DEFAULT_MINUTES),
                        help=_("whole minutes, e.g. 5m or 1h (default: {minutes}m, up to 4h)").format(minutes=SNOOZE_DEFAULT_MINUTES))


def run(args: argparse.Namespace) -> int:
    return remote.send("snooze", minutes=int(args.duration.total_seconds()) // 60)
