"""Build hook: the wheel gets each translation compiled (``.po`` -> ``.mo``); no binary is committed.

Everything else about the package is in ``pyproject.toml``. The compiler is
``necka_tray/texts/catalogs.py`` (standard library only), loaded from the source tree
by path so building needs neither GNU gettext nor Necka's dependencies.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _catalogs():
    spec = importlib.util.spec_from_file_location("_necka_catalogs", HERE / "necka_tray" / "texts" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithCatalogs(build_py):
    """``build_py``, then every ``locale/<lang>/LC_MESSAGES/*.po`` in the build compiled next to itself."""

    def run(self):
        super().run()
        if not self.editable_mode:  # an editable install compiles the one it needs in memory
            _catalogs().compile_tree(Path(self.build_lib) / "necka_tray" / "locale")


setup(cmdclass={"build_py": BuildPyWithCatalogs})
