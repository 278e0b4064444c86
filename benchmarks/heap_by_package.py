"""Where the tray's Python heap goes, by package: tracemalloc in a running Necka on a real desktop.

    .venv/bin/python benchmarks/heap_by_package.py              # on an XEmbed tray (trayer)
    .venv/bin/python benchmarks/heap_by_package.py --tray sni   # on a StatusNotifierItem host
    ... --threads --modules   # also each thread's stack, and every module loaded
    ... --by-line             # by the line of Necka's code each allocation comes from
    ... --steps               # USS as the libraries and Necka's modules are added, one layer at a time

Necka starts as ``python -m necka_tray`` under tracemalloc (one frame per allocation), docks
its icon, settles, and then lists the memory its Python objects hold, by the package whose code
allocated them (module-level objects count for the module that built them). Code objects
are unmarshalled by importlib, so their memory shows as ``(bytecode)``; the bytes of each
package's loaded ``.pyc`` files are listed beside it as the share of each. tracemalloc sees
only Python's own allocations, not what C libraries (libX11 is not used; SQLite, libffi, the
interpreter itself) take, so the total is below the anonymous memory footprint.py measures.

``--by-line`` keeps 100 frames per allocation and files each under the innermost line of
``necka_tray`` on its stack: a library's import-time objects and code land on the import line of
ours that first pulled it in, which is where a lazy import would have to go. ``--steps`` is the
page-level view (USS, as footprint.py counts it) of the same question, in a fresh interpreter
started without ``site`` as an installed Necka is.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.desktop import session, xdesk  # noqa: E402

WRAPPER = r"""
import gc, json, os, sys, threading, traceback, tracemalloc, runpy
tracemalloc.start(int(os.environ["HEAP_FRAMES"]))

def package(filename):
    if filename.startswith("<frozen"):
        return "(bytecode)" if "importlib" in filename else "(frozen)"
    parts = filename.replace("\\", "/").split("/")
    if "necka_tray" in parts:
        rest = parts[parts.index("necka_tray") + 1:]
        return "necka_tray" + ("." + rest[0].removesuffix(".py") if len(rest) > 1 else "")
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            return parts[parts.index(marker) + 1].removesuffix(".py")
    if "lib" in parts:
        i = len(parts) - 1 - parts[::-1].index("lib")
        rest = parts[i + 2:]
        return "stdlib: " + (rest[0].removesuffix(".py") if rest else "?")
    return "other"

def dump():
    snapshot = tracemalloc.take_snapshot()
    heap = {}
    for stat in snapshot.statistics("filename"):
        key = package(stat.traceback[0].filename)
        heap[key] = heap.get(key, 0) + stat.size
    # With a deep traceback: each allocation belongs to the innermost line of Necka's own code
    # on its stack (for a library's import-time objects, the line of ours that imported it).
    ours = {}
    if int(os.environ["HEAP_FRAMES"]) > 1:
        for stat in snapshot.statistics("traceback"):
            where = "(no frame of necka_tray)"
            for frame in reversed(stat.traceback):
                parts = frame.filename.replace("\\", "/").split("/")
                if "necka_tray" in parts:
                    where = "/".join(parts[parts.index("necka_tray"):]) + f":{frame.lineno}"
                    break
            ours[where] = ours.get(where, 0) + stat.size
    pyc = {}
    from importlib.util import cache_from_source
    for module in list(sys.modules.values()):
        source = getattr(module, "__file__", None)
        if not source or not source.endswith(".py"):
            continue
        try:
            size = os.path.getsize(cache_from_source(source))
        except (OSError, ValueError, NotImplementedError):
            continue
        key = package(source)
        pyc[key] = pyc.get(key, 0) + size
    frames = sys._current_frames()
    stacks = {f"{t.name} (daemon={t.daemon})": "".join(traceback.format_stack(frames[t.ident])[-6:])
              for t in threading.enumerate() if t.ident in frames and t is not threading.current_thread()}
    traced = tracemalloc.get_traced_memory()[0]
    del snapshot
    unreachable = gc.collect()  # after the figures: how much of the heap was garbage in cycles, not yet collected
    garbage = traced - tracemalloc.get_traced_memory()[0]
    with open(os.environ["HEAP_OUT"], "w") as f:
        json.dump({"heap": heap, "pyc": pyc, "modules": len(sys.modules), "names": sorted(sys.modules),
                   "traced": traced, "garbage": [unreachable, garbage], "ours": ours, "stacks": stacks,
                   "os_threads": len(os.listdir("/proc/self/task")) - 1}, f)

timer = threading.Timer(float(os.environ["HEAP_AFTER"]), dump)
timer.daemon = True
timer.start()
sys.argv = ["necka-tray"]
runpy.run_module("necka_tray", run_name="__main__", alter_sys=True)
"""

#: What the tray process is made of, added one layer at a time (``--steps``): each figure is the
#: process's own memory (USS, and the anonymous part of it) after that layer, so a layer's cost
#: includes the stdlib modules it is the first to import (APScheduler, first, brings most of them).
STEPS = [
    ("python alone", ""),
    ("+ APScheduler (BackgroundScheduler, its events, executors)",
     "import apscheduler.events, apscheduler.executors.debug, apscheduler.schedulers.background"),
    ("+ jeepney (D-Bus)", "import jeepney, jeepney.io.blocking, jeepney.io.threading"),
    ("+ platformdirs", "import platformdirs; platformdirs.user_config_dir('necka-tray')"),
    ("+ python-xlib (imported)", "from Xlib import display"),
    ("+ an open X Display (its extensions, keymap)", "d = display.Display()"),
    ("+ a second X Display (the XEmbed icon's own)", "d2 = display.Display()"),
    ("+ the other stdlib modules Necka's own code imports", "import argparse, dataclasses, datetime, enum, gettext, "
     "json, logging.handlers, pathlib, queue, select, socket, sqlite3, subprocess, tomllib"),
    ("+ Necka's tray modules (imported, nothing running)",
     "import necka_tray.cli.run, necka_tray.tray.main, necka_tray.tray.app, necka_tray.tray.sni, "
     "necka_tray.tray.xembed, necka_tray.tray.scheduling, necka_tray.tray.ipc_server, necka_tray.tray.control, "
     "necka_tray.store.history_writer, necka_tray.store.reports, necka_tray.store.jobstore, "
     "necka_tray.desktop.notifier, necka_tray.desktop.presence, necka_tray.desktop.idle, necka_tray.desktop.dnd"),
    ("+ 4 idle threads (as the tray's scheduler, control, history, dispatcher)",
     "import threading; e = threading.Event(); "
     "[threading.Thread(target=e.wait, daemon=True).start() for _ in range(4)]"),
]

STEP_RUNNER = r"""
import gc, json, os, sys
def own():
    fields = {}
    for line in open("/proc/self/smaps_rollup"):
        name, _, rest = line.partition(":")
        if rest.split() and rest.split()[0].isdigit():
            fields[name] = int(rest.split()[0])
    return fields["Private_Clean"] + fields["Private_Dirty"], fields["Anonymous"]
out, scope = [], {}
for label, code in json.loads(sys.argv[1]):
    exec(code, scope)
    gc.collect()
    out.append((label, *own()))
print(json.dumps(out))
"""


def steps(env: dict) -> int:
    """Print the ``STEPS`` table, measured in a fresh interpreter on the running desktop."""
    # -S: without site's start-up (and the editable install's import hook), as an installed Necka
    # starts; the checkout and the venv's site-packages come from PYTHONPATH instead.
    path = os.pathsep.join([str(REPO), sysconfig.get_path("purelib")])
    done = subprocess.run([sys.executable, "-S", "-c", STEP_RUNNER, json.dumps(STEPS)], env=dict(env, PYTHONPATH=path),
                          capture_output=True, text=True, check=True, cwd=REPO,
                          preexec_fn=session.die_with_parent)
    print("| layer | USS | anonymous | this layer adds (USS) |\n|---|---|---|---|")
    last = 0
    for label, uss, anon in json.loads(done.stdout):
        print(f"| {label} | {uss / 1024:.1f} MiB | {anon / 1024:.1f} MiB | {(uss - last) / 1024:+.1f} MiB |")
        last = uss
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tray", choices=("xembed", "sni"), default="xembed")
    parser.add_argument("--after", type=float, default=20.0, help="seconds after the start (default 20)")
    parser.add_argument("--top", type=int, default=14, help="rows to print (default 14)")
    parser.add_argument("--modules", action="store_true", help="also list the modules loaded")
    parser.add_argument("--by-line", action="store_true",
                        help="instead: the heap by the line of Necka's code each allocation comes from "
                             "(its import lines pull in the libraries; 100-frame tracebacks, slower)")
    parser.add_argument("--threads", action="store_true",
                        help="also print each thread's stack (the innermost frames) at the snapshot")
    parser.add_argument("--steps", action="store_true",
                        help="instead: the process's memory (USS) as the tray's libraries and modules are added")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="necka-heap-") as tmp, \
            session.running_desktop(Path(tmp), tray=args.tray) as desk:
        if args.steps:
            return steps(desk.env)
        out = Path(tmp) / "heap.json"
        env = session.user_env(desk.env, Path(tmp) / "user", session.STANDARD_DIRS)
        env.update(HEAP_OUT=str(out), HEAP_AFTER=str(args.after), HEAP_FRAMES="100" if args.by_line else "1")
        with open(Path(tmp) / "necka.err", "w") as err:
            # cwd: this checkout's necka_tray comes first on the path.
            proc = subprocess.Popen([sys.executable, "-c", WRAPPER], env=env, stderr=err, cwd=REPO,
                                    preexec_fn=session.die_with_parent)
            try:
                xdesk.wait_for(out.exists, args.after + 30, what="the heap snapshot")
                time.sleep(0.5)  # the writer closes the file
                data = json.loads(out.read_text())
            finally:
                with contextlib.suppress(Exception):
                    session.stop(proc)
    heap, pyc = data["heap"], data["pyc"]
    if args.by_line:
        heap, pyc = data["ours"], {}
    total = sum(heap.values())
    print(f"tracemalloc, {args.tray} tray, {args.after:.0f} s after start: {total / 2**20:.2f} MiB traced, "
          f"{data['modules']} modules loaded")
    print("| line of Necka's code | Python heap | — |" if args.by_line else "| package | Python heap | .pyc loaded |")
    print("|---|---|---|")
    rows = sorted(set(heap) | set(pyc), key=lambda k: -(heap.get(k, 0) + pyc.get(k, 0)))  # code ~ its .pyc
    for key in rows[:args.top]:
        print(f"| {key} | {heap.get(key, 0) / 2**20:.2f} MiB | {pyc.get(key, 0) / 2**20:.2f} MiB |")
    rest = rows[args.top:]
    if rest:
        print(f"| {len(rest)} more | {sum(heap.get(k, 0) for k in rest) / 2**20:.2f} MiB | "
              f"{sum(pyc.get(k, 0) for k in rest) / 2**20:.2f} MiB |")
    print(f"not yet collected: {data['garbage'][0]} objects in reference cycles, "
          f"{data['garbage'][1] / 2**20:.2f} MiB of the heap above (freed by a gc.collect() after the snapshot)")
    print(f"{data['os_threads']} threads besides the snapshot's own timer thread: "
          + ", ".join(sorted(data["stacks"])))
    if args.threads:
        for name, stack in sorted(data["stacks"].items()):
            print(f"\n--- {name}\n{stack.rstrip()}")
    if args.modules:
        print(" ".join(data["names"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
