"""A Wayland window that asks to be full screen (GTK 3, GDK_BACKEND=wayland): a film or a talk, as the
compositor sees one. SIGUSR1 leaves full screen, SIGUSR2 enters it again.

Run as ``python fullscreen_window.py`` by the Plasma Wayland test (PyGObject is in the dev venv)."""

import signal

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk  # noqa: E402


def main() -> None:
    window = Gtk.Window(title="Necka test: full screen")
    window.connect("destroy", Gtk.main_quit)
    window.fullscreen()
    window.show_all()
    for signum, change in ((signal.SIGUSR1, window.unfullscreen), (signal.SIGUSR2, window.fullscreen)):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, lambda change=change: change() or True)
    Gtk.main()


if __name__ == "__main__":
    main()
