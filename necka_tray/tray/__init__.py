"""The long-running tray process: state owner, scheduler, control channel, tray icons.

Never imports ``necka_tray.windows``, tkinter or Pillow: windows, menus and
icon drawing run in short-lived helper processes (see ``children.py``).
"""
