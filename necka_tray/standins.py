"""Import a library while a few of the modules it imports are stand-ins, so the real ones load only if used.

Libraries import, at their top, modules that only one of their features
needs: APScheduler imports ``uuid``, ``zoneinfo`` and ``multiprocessing``
for ids, zone names and process pools that Necka never asks for;
platformdirs imports ``tempfile`` (with ``shutil``, ``random``, ``bz2`` and
``lzma``) for a fallback used only without ``XDG_RUNTIME_DIR``. In a tray
process that idles at ~15 MiB for days, such imports are most of what is
left to save, and a stand-in is cheaper than a fork of the library.

A stand-in built by ``lazy_module`` forwards each named function to the real
module, imported at its first call, so the feature still works if it is
ever used. The stand-ins stay in ``sys.modules`` only while the library
imports; anything imported later gets the real modules. Use it only where no
other thread can import meanwhile (at start, before our threads run).
"""

from __future__ import annotations

import contextlib
import sys
import types
from typing import Iterator, Mapping


def lazy_module(module: str, *functions: str) -> types.ModuleType:
    """A stand-in for ``module`` whose ``functions`` import the real one at their first call and call its own."""
    stand_in = types.ModuleType(module, f"Stand-in (necka_tray.standins): {module} loads when first used")

    def forward(name: str):
        def call(*args, **kwargs):
            import importlib

            return getattr(importlib.import_module(module), name)(*args, **kwargs)

        call.__name__ = call.__qualname__ = name
        return call

    for name in functions:
        setattr(stand_in, name, forward(name))
    return stand_in


@contextlib.contextmanager
def standing_in(stand_ins: Mapping[str, types.ModuleType]) -> Iterator[None]:
    """Within the block, ``import`` of these names gets the stand-ins (unless the real module is already loaded)."""
    # An import that finds its module in sys.modules sets no attribute on a parent package, so
    # removing the entries afterwards is all the clean-up there is.
    placed = {name: module for name, module in stand_ins.items() if name not in sys.modules}
    sys.modules.update(placed)
    try:
        yield
    finally:
        for name, module in placed.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
