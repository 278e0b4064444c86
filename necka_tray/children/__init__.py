"""Helper processes: their table and command lines, the messages they send, and how the tray starts them.

Shared by the tray and the windows (a window is a helper process), so nothing
here imports either: ``helpers.py`` names the windows' entry points as text.
Standard library only (and ``core``, ``texts``).
"""
