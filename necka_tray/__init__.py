"""Necka: a system-tray reminder for posture checks, shoulder rolls and neck stretch breaks.

Importing the package must stay cheap and must never need a display: the tray,
the session window and the notifier are imported lazily by the code that uses them.
"""

__version__ = "0.1.0"
APP_NAME = "necka-tray"
#: Reverse-DNS id: the .desktop and AppStream file names, the macOS LaunchAgent label.
APP_ID = "io.github.necka.Necka"
