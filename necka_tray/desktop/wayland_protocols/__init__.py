"""Wayland protocol bindings that pywayland's wheels lack, made by pywayland's own scanner.

``idle.py`` is KDE's ``org_kde_kwin_idle`` (``kde_idle.xml``, from plasma-wayland-protocols,
LGPL-2.1-or-later), which sway 1.7 and KWin offer where ``ext_idle_notifier_v1`` is not
there yet. It is generated, never edited: ``scripts/wayland-bindings`` writes it, and
``tests/unit/test_wayland_bindings.py`` fails when it differs from what the installed
scanner makes of the XML. Importing this package imports pywayland: only the Wayland idle
source does, and only on a Wayland session.
"""
