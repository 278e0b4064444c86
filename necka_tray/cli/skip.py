"""``necka-tray skip``: skip the due (or else the next) stretch break."""

from necka_tray.cli import remote
from necka_tray.cli.remote import no_arguments as add_arguments  # noqa: F401


def run(args) -> int:
    return remote.send("skip")
