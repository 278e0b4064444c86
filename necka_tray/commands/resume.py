"""``necka-tray resume``: end a pause now; every countdown starts afresh."""

from necka_tray.commands import remote
from necka_tray.commands.remote import no_arguments as add_arguments  # noqa: F401


def run(args) -> int:
    return remote.send("resume")
