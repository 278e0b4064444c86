"""``python -m necka_tray`` is the same program as the ``necka-tray`` command."""

from necka_tray.cli import main

raise SystemExit(main())
