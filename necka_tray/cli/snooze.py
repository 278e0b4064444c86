"""``necka-tray snooze [10m]``: show the stretch break again a little later."""

from __future__ import annotations

import argparse

from necka_tray.cli import remote


def add_arguments(parser: argparse.ArgumentParser) -> None:
    remote.negative_durations_are_values(parser)
    from datetime import timedelta

    from necka_tray.tray.control import SNOOZE_DEFAULT_MINUTES, SNOOZE_RANGE

    parser.add_argument("duration", metavar="DURATION", nargs="?", type=remote.duration(SNOOZE_RANGE),
                        default=timedelta(minutes=SNOOZE_DEFAULT_MINUTES),
                        help=f"whole minutes, e.g. 5m or 1h (default: {SNOOZE_DEFAULT_MINUTES}m, up to 4h)")


def run(args: argparse.Namespace) -> int:
    seconds = int(args.duration.total_seconds())
    if seconds % 60:
        return remote.fail(f"snooze takes whole minutes, not {seconds} seconds (example: 10m)", 2)
    return remote.send("snooze", minutes=seconds // 60)
