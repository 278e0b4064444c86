"""Entry point of the PyInstaller build (``necka-tray.spec``).

A frozen program has no ``python -m``: the helper processes the tray starts
(windows, the xembed tray's menu and tooltip, the icon drawing) run this same
executable as ``necka-tray helper NAME ...``, dispatched from the one table in
``necka_tray/children/helpers.py`` (``helpers.command`` builds those command lines).
Internal, so not shown in ``necka-tray --help``.
"""

import sys

from necka_tray.children import helpers

if sys.argv[1:2] == [helpers.FROZEN_ARG]:
    sys.exit(helpers.run(sys.argv[2] if len(sys.argv) > 2 else "", sys.argv[3:]))

from necka_tray.cli import main

sys.exit(main())
