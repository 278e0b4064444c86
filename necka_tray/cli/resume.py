"""``necka-tray resume``: end a pause now; every countdown starts afresh."""

from necka_tray.cli import remote
from necka_tray.cli.remote import no_arguments as add_arguments  # noqa: F401


def run(args) -> int:
    return remote.send("resume")
