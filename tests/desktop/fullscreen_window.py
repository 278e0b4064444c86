"""A Wayland window that asks to be full screen (GTK 3, GDK_BACKEND=wayland): a film or a talk, as the
compositor sees one. SIGUSR1 leaves full screen, SIGUSR2 enters it again; each state the compositor
confirms is printed ("fullscreen", "windowed"), so a test waits for it instead of guessing.

Run as ``python fullscreen_window.py`` by the Plasma Wayland test (PyGObject is in the dev venv)."""

import signal

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402


def main() -> None:
    window = Gtk.Window(title="Necka test: full screen")
    window.connect("destroy", Gtk.main_quit)
    for signum, change in ((signal.SIGUSR1, window.unfullscreen), (signal.SIGUSR2, window.fullscreen)):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, lambda change=change: change() or True)

    def state(_window, event) -> bool:
        if event.changed_mask & Gdk.WindowState.FULLSCREEN:
            print("fullscreen" if event.new_window_state & Gdk.WindowState.FULLSCREEN else "windowed", flush=True)
        return False

    window.connect("window-state-event", state)
    window.fullscreen()
    window.show_all()
    Gtk.main()


if __name__ == "__main__":
    main()
