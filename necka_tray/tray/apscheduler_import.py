"""Import APScheduler 3 without asyncio and importlib.metadata: ~3.5 MiB and ~55 ms less for the tray.

Two of APScheduler's top-level imports serve features Necka never uses:

- ``apscheduler.util`` imports ``asyncio`` for one name, ``iscoroutinefunction``,
  which only its asyncio and tornado executors use; Necka runs plain functions.
  The stand-in holds ``inspect.iscoroutinefunction`` (what asyncio's own is
  built on), which keeps the asyncio package, and ssl with it, out.
- ``apscheduler/__init__`` asks ``importlib.metadata`` for its own version, and
  ``apscheduler.schedulers.base`` reads every installed package's entry points
  when its class is defined, to resolve plugin aliases such as
  ``trigger="interval"``. That loads the email and zipfile packages and scans
  site-packages (in the tray: ~1.1 MiB USS, ~25 ms). Necka passes trigger, store and executor
  *instances*, never aliases, so the stand-in answers "no such package" and
  "no entry points". An alias used by mistake fails loudly (``LookupError``),
  as the scheduling tests would show.

The stand-ins are removed at once, so anything that imports these modules
later gets the real ones. Call ``load()`` before the first APScheduler import,
on a thread where no other import of them can run meanwhile (the app's setup
thread, before any other thread of ours imports anything). Measured with
benchmarks/footprint.py.
"""

from __future__ import annotations

import inspect
import sys
import types


class _NoPackage(Exception):
    """The stand-in's ``PackageNotFoundError``."""


def _stand_ins() -> dict[str, types.ModuleType]:
    asyncio = types.ModuleType("asyncio", "Stand-in while APScheduler imports (see necka_tray.tray.apscheduler_import)")
    asyncio.iscoroutinefunction = inspect.iscoroutinefunction
    metadata = types.ModuleType("importlib.metadata", asyncio.__doc__)
    metadata.PackageNotFoundError = _NoPackage

    def version(name: str) -> str:
        raise _NoPackage(name)

    metadata.version = version
    metadata.entry_points = lambda **_: ()
    return {"asyncio": asyncio, "importlib.metadata": metadata}


def load() -> None:
    if "apscheduler.schedulers.base" in sys.modules:
        return  # too late
    # An import that finds its module in sys.modules sets no attribute on the parent package,
    # so removing the entries afterwards is all the clean-up there is.
    stand_ins = {name: module for name, module in _stand_ins().items() if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        import apscheduler.schedulers.base  # noqa: F401
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
