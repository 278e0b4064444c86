"""Stand-in modules while a library imports: the real module loads only when a forwarded function is called."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import sys
from necka_tray.standins import lazy_module, standing_in
with standing_in({"colorsys": lazy_module("colorsys", "rgb_to_hsv"), "sys": lazy_module("sys", "exit")}):
    import colorsys as during
    inside = type(during).__name__, "colorsys" in sys.modules, sys.modules["sys"] is sys
after = "colorsys" in sys.modules
value = during.rgb_to_hsv(1.0, 0.0, 0.0)  # the stand-in forwards: the real module loads now
import colorsys
print(inside, after, value, during.rgb_to_hsv.__name__, colorsys is not during)
"""


def test_a_stand_in_stands_in_during_the_import_only_and_forwards_calls():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    # During: a stand-in; a module already loaded (sys) is never replaced. After: gone; the call works.
    assert out.strip() == "('module', True, True) False (0.0, 1.0, 1.0) rgb_to_hsv True"


PLATFORMDIRS = r"""
import sys
from necka_tray.store.paths import AppPaths, _platformdirs
paths = AppPaths.for_user()
loaded = "tempfile" in sys.modules
import platformdirs.unix
print(loaded, platformdirs.unix.gettempdir() == __import__("tempfile").gettempdir(), paths.runtime_dir)
"""


def test_platformdirs_comes_without_tempfile_and_its_fallback_still_works(tmp_path):
    (tmp_path / "run").mkdir(mode=0o700)  # the session makes it (an absent one is not used)
    env = {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path / "run"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", PLATFORMDIRS], capture_output=True, text=True, check=True,
                         env=env).stdout
    assert out.split() == ["False", "True", str(tmp_path / "run" / "necka-tray")]
