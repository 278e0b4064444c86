"""What the packages carry: the desktop entry and AppStream file validate, the icons match
the drawing, and the wheel and sdist hold every file the app loads at run time.

The validators are Debian packages (scripts/bootstrap --dev installs them): missing,
they skip these tests locally and fail them under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from necka_tray import APP_ID, __version__

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
ICONS = ROOT / "assets" / "icons"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
#: Never copied into a build: the checkout's own environment and outputs.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "test-artifacts", "__pycache__",
                                    "*.egg-info", ".pytest_cache", "*.pyc", "*.mo")


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is missing (Debian: {package}); run scripts/bootstrap --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


# -- desktop integration files ---------------------------------------------------------------


def test_desktop_entry_validates():
    done = validate(tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP))
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
    text = DESKTOP.read_text()
    assert f"Icon={APP_ID}\n" in text and "Exec=necka-tray\n" in text


def test_metainfo_validates():
    done = validate(tool("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO))
    assert done.returncode == 0, done.stdout + done.stderr
    text = METAINFO.read_text()
    assert f"<id>{APP_ID}</id>" in text and f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' in text
    assert f'<release version="{__version__}"' in text


def test_the_autostart_entry_validates_too(tmp_path):
    from necka_tray.desktop.platform import linux

    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    linux.autostart_enable(["/opt/with space/python", "-m", "necka_tray"], env)
    done = validate(tool("desktop-file-validate", "desktop-file-utils"), str(linux.autostart_file(env)))
    assert done.returncode == 0 and done.stdout == "", done.stdout


def test_a_broken_entry_is_caught_by_the_validator(tmp_path):
    """The validator check above can fail: a typo in a key is reported."""
    broken = tmp_path / f"{APP_ID}.desktop"
    broken.write_text(DESKTOP.read_text().replace("Type=Application", "Type=Aplication"))
    assert validate(tool("desktop-file-validate", "desktop-file-utils"), str(broken)).returncode != 0


# -- icons -----------------------------------------------------------------------------------


def test_committed_icons_match_the_tray_drawing(tmp_path):
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import make_icons
    finally:
        sys.path.remove(str(ROOT / "packaging"))
    assert make_icons.main([str(tmp_path)]) == 0
    for size in make_icons.PNG_SIZES:
        committed = make_icons.png_path(ICONS, size)
        assert committed.exists(), f"{committed} missing: run packaging/make_icons.py"
        fresh = Image.open(make_icons.png_path(tmp_path, size))
        with Image.open(committed) as old:
            assert old.size == (size, size) and old.mode == "RGBA"
            assert ImageChops.difference(old, fresh).getbbox() is None, f"{committed} is stale: run make_icons.py"
    with Image.open(ICONS / "necka.ico") as ico:
        assert set(make_icons.ICO_SIZES) <= {w for w, _ in ico.info["sizes"]}
    with Image.open(ICONS / "necka.icns") as icns:
        assert icns.size == (1024, 1024)
        assert {(16, 16, 2), (128, 128, 1), (512, 512, 2)} <= set(icns.info["sizes"])


# -- wheel and sdist -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """``python -m build`` on a copy of the checkout (never writing into it): sdist, then the wheel from it."""
    tmp = tmp_path_factory.mktemp("dist")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCE)
    out = tmp / "out"
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    wheel, = out.glob("*.whl")
    sdist, = out.glob("*.tar.gz")
    return wheel, sdist


def runtime_files() -> set[str]:
    """Every file of the package that is not Python source: the app reads these at run time."""
    package = ROOT / "necka_tray"
    # .mo files are build products (scripts/bootstrap's in a checkout): see the catalogue test.
    return {str(p.relative_to(ROOT)) for p in package.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc", ".mo") and "__pycache__" not in p.parts}


def test_wheel_holds_the_package_and_its_data(dists):
    wheel, _ = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    assert runtime_files() and runtime_files() <= names, runtime_files() - names
    assert {"necka_tray/data/routines.toml", "necka_tray/channel/ipc.py", "necka_tray/core/durations.py",
            "necka_tray/cli/pause.py", "necka_tray/desktop/platform/windows.py"} <= names
    sources = {str(p.relative_to(ROOT)) for p in (ROOT / "necka_tray").rglob("*.py")}
    assert sources <= names, sources - names
    entry_points = zipfile.ZipFile(wheel).read(f"necka_tray-{__version__}.dist-info/entry_points.txt").decode()
    assert "necka-tray = necka_tray.cli:main" in entry_points


def test_the_wheel_carries_every_catalogue_compiled(dists):
    """The build hook compiles each .po into the wheel (none is committed); each reads back complete."""
    import gettext
    import io

    wheel, _ = dists
    zf = zipfile.ZipFile(wheel)
    names = set(zf.namelist())
    languages = sorted(p.parts[-3] for p in (ROOT / "necka_tray" / "locale").glob("*/LC_MESSAGES/necka-tray.po"))
    assert len(languages) >= 13
    for lang in languages:
        mo = f"necka_tray/locale/{lang}/LC_MESSAGES/necka-tray.mo"
        assert mo in names, mo
        catalogue = gettext.GNUTranslations(io.BytesIO(zf.read(mo)))
        assert catalogue.info()["language"] == lang
        if lang != "en":
            assert catalogue.gettext("Quit Necka") != "Quit Necka", lang
    assert not subprocess.run(["git", "-C", str(ROOT), "ls-files", "*.mo"], capture_output=True,
                              text=True).stdout.strip(), "a compiled catalogue is committed"


def test_sdist_holds_what_packagers_need(dists):
    _, sdist = dists
    prefix = f"necka_tray-{__version__}/"
    names = {n.removeprefix(prefix) for n in tarfile.open(sdist).getnames()}
    expected = {"pyproject.toml", "README.md", "MANIFEST.in", "necka_tray/data/routines.toml",
                f"packaging/linux/{APP_ID}.desktop", f"packaging/linux/{APP_ID}.metainfo.xml",
                "packaging/make_icons.py", "packaging/necka-tray.spec", "assets/icons/necka.ico",
                "assets/icons/necka.icns", f"assets/icons/hicolor/512x512/apps/{APP_ID}.png"}
    assert expected <= names, expected - names
    assert runtime_files() <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
