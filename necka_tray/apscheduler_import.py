"""Import APScheduler 3 without the asyncio package: ~2.4 MiB and ~30 ms less for the tray.

``apscheduler.util`` imports ``asyncio`` at the top for one name,
``iscoroutinefunction``, which only its asyncio and tornado executors use;
Necka runs plain functions on a thread pool. Importing it while
``sys.modules["asyncio"]`` is a stand-in holding ``inspect.iscoroutinefunction``
(what asyncio's own is built on) keeps the whole asyncio package, and ssl with
it, out of the process. The stand-in is removed at once, so anything that
imports asyncio later gets the real package.

Call ``load()`` before the first APScheduler import, on a thread where no other
import of asyncio can run meanwhile (the app's setup thread, before any other
thread of ours imports anything). Measured with benchmarks/footprint.py.
"""

from __future__ import annotations

import inspect
import sys
import types


def load() -> None:
    if "apscheduler.util" in sys.modules or "asyncio" in sys.modules:
        return  # too late, or nothing to save
    stand_in = types.ModuleType("asyncio", "Stand-in while apscheduler.util imports (see necka_tray.apscheduler_import)")
    stand_in.iscoroutinefunction = inspect.iscoroutinefunction
    sys.modules["asyncio"] = stand_in
    try:
        import apscheduler.util  # noqa: F401
    finally:
        if sys.modules.get("asyncio") is stand_in:
            del sys.modules["asyncio"]
