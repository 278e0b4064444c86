"""Where the tray's Python heap goes, by package: tracemalloc in a running Necka on a real desktop.

    .venv/bin/python benchmarks/heap_by_package.py              # on an XEmbed tray (trayer)
    .venv/bin/python benchmarks/heap_by_package.py --tray sni   # on a StatusNotifierItem host

Necka starts as ``python -m necka_tray`` under tracemalloc (one frame per allocation), docks
its icon, settles, and then lists the memory its Python objects hold, by the package whose code
allocated them (module-level objects count for the module that built them). Code objects
are unmarshalled by importlib, so their memory shows as ``(bytecode)``; the bytes of each
package's loaded ``.pyc`` files are listed beside it as the share of each. tracemalloc sees
only Python's own allocations, not what C libraries (libX11 is not used; SQLite, libffi, the
interpreter itself) take, so the total is below the anonymous memory footprint.py measures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.desktop import session, xdesk  # noqa: E402

WRAPPER = r"""
import json, os, sys, threading, tracemalloc, runpy
tracemalloc.start(1)

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
    with open(os.environ["HEAP_OUT"], "w") as f:
        json.dump({"heap": heap, "pyc": pyc, "modules": len(sys.modules), "names": sorted(sys.modules),
                   "traced": tracemalloc.get_traced_memory()[0]}, f)

timer = threading.Timer(float(os.environ["HEAP_AFTER"]), dump)
timer.daemon = True
timer.start()
sys.argv = ["necka-tray"]
runpy.run_module("necka_tray", run_name="__main__", alter_sys=True)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tray", choices=("xembed", "sni"), default="xembed")
    parser.add_argument("--after", type=float, default=20.0, help="seconds after the start (default 20)")
    parser.add_argument("--top", type=int, default=14, help="rows to print (default 14)")
    parser.add_argument("--modules", action="store_true", help="also list the modules loaded")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="necka-heap-") as tmp, \
            session.running_desktop(Path(tmp), tray=args.tray) as desk:
        out = Path(tmp) / "heap.json"
        env = session.user_env(desk.env, Path(tmp) / "user", session.STANDARD_DIRS)
        env.update(HEAP_OUT=str(out), HEAP_AFTER=str(args.after))
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
    total = sum(heap.values())
    print(f"tracemalloc, {args.tray} tray, {args.after:.0f} s after start: {total / 2**20:.2f} MiB traced, "
          f"{data['modules']} modules loaded")
    print("| package | Python heap | .pyc loaded |")
    print("|---|---|---|")
    rows = sorted(set(heap) | set(pyc), key=lambda k: -(heap.get(k, 0) + pyc.get(k, 0)))  # code ~ its .pyc
    for key in rows[:args.top]:
        print(f"| {key} | {heap.get(key, 0) / 2**20:.2f} MiB | {pyc.get(key, 0) / 2**20:.2f} MiB |")
    rest = rows[args.top:]
    if rest:
        print(f"| {len(rest)} more | {sum(heap.get(k, 0) for k in rest) / 2**20:.2f} MiB | "
              f"{sum(pyc.get(k, 0) for k in rest) / 2**20:.2f} MiB |")
    if args.modules:
        print(" ".join(data["names"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
