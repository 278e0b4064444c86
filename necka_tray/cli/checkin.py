"""``necka-tray checkin [RATING]``: note how your neck feels (0 no pain .. 10 worst pain).

With a rating it is stored at once; without one the small check-in window opens.
"""

from __future__ import annotations

import argparse

from necka_tray.cli import remote


def rating(text: str) -> int:
    """A rating in ASCII digits (not ``١``, fullwidth digits, ``1_0`` or ``+5``) from RATING_MIN to RATING_MAX."""
    from necka_tray.core.durations import quoted, whole_number
    from necka_tray.core.events import RATING_MAX, RATING_MIN

    value = whole_number(text)
    if value is None or not RATING_MIN <= value <= RATING_MAX:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a rating: use a whole number from "
                                         f"{RATING_MIN} (no pain) to {RATING_MAX} (worst pain)")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rating", nargs="?", type=rating, metavar="RATING",
                        help="0 (no pain) to 10 (worst pain); leave out to open the check-in window")


def run(args: argparse.Namespace) -> int:
    from necka_tray.windows import checkin

    if args.rating is None:
        return checkin.main([])
    if not checkin.record(args.rating, "cli"):
        return remote.EXIT_FAILED
    print(f"Noted: neck {args.rating} of 10.")
    return 0
