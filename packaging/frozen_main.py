"""Entry point of the PyInstaller build (``necka-tray.spec``).

A frozen program has no ``python -m``: the helper processes the tray starts
reach this same executable with a first argument instead. ``session`` is a
user-facing subcommand anyway; ``menu`` (the xembed tray's popup menu,
``tray/xembed_popups.menu_command``) is internal, so it is dispatched here rather than
shown in ``necka-tray --help``.
"""

import sys

if sys.argv[1:2] == ["menu"]:
    from necka_tray.windows.popup_menu import main as popup_menu

    sys.exit(popup_menu())
if sys.argv[1:2] == ["icons"]:  # the xembed tray's icon bitmaps (ui/icon_bitmaps.command)
    from necka_tray.windows.icon_bitmaps import main as icon_bitmaps

    sys.exit(icon_bitmaps(sys.argv[2:]))

from necka_tray.cli import main

sys.exit(main())
