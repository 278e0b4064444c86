"""``necka-tray quit``: the running Necka quits; returns once its process has ended."""

from necka_tray.cli import remote
from necka_tray.cli.remote import no_arguments as add_arguments  # noqa: F401
from necka_tray.texts.i18n import _

QUIT_TIMEOUT = 15.0


def run(args) -> int:
    from necka_tray.channel import instance

    code, reply = remote.ask("quit")
    if reply is None:
        return code
    if not instance.wait_released(remote.paths(), QUIT_TIMEOUT):
        return remote.fail(_("Necka was asked to quit but still runs after {seconds} s").format(seconds=f"{QUIT_TIMEOUT:g}"))
    print(_("Necka has quit."))
    return 0
