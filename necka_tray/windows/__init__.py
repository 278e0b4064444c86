"""The helper processes: every window (session, statistics, check-in, pages),
the XEmbed popup menu and tooltip, and icon drawing, with their shared look.

Each runs as ``python -m necka_tray.windows.<name>``, started by the tray or
the command line; none imports ``necka_tray.tray``.
"""
