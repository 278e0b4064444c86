"""The helper processes: every window (session, statistics, check-in, pages),
the XEmbed popup menu and tooltip, and icon drawing, with their shared look.

The tray starts each through the one table in ``necka_tray/children/helpers.py``
(``python -m necka_tray.children.helpers NAME``; frozen: ``necka-tray helper NAME``) and
reads its result as a ``necka_tray/children/protocol.py`` message; the command line
runs them in its own process. None imports ``necka_tray.tray`` or
``necka_tray.cli`` (``tests/unit/test_boundaries.py``).
"""
