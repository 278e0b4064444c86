"""Start at login on each OS, at its boundary: the file or registry value it writes, and reads back."""

from __future__ import annotations

import plistlib

import pytest

from necka_tray import APP_ID
from necka_tray.desktop.platform import linux, macos, windows

COMMAND = ["/opt/my apps/venv/bin/python", "-m", "necka_tray"]


# -- Linux: XDG autostart entry ------------------------------------------------------------


def test_linux_writes_an_xdg_autostart_entry(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HOME": str(tmp_path)}
    assert linux.autostart_enabled(env) is False
    linux.autostart_enable(COMMAND, env)
    path = tmp_path / "cfg" / "autostart" / f"{APP_ID}.desktop"
    text = path.read_text()
    assert text.startswith("[Desktop Entry]\nType=Application\nName=Necka\n")
    assert 'Exec="/opt/my apps/venv/bin/python" -m necka_tray\n' in text
    assert linux.autostart_enabled(env) is True
    linux.autostart_disable(env)
    assert not path.exists() and linux.autostart_enabled(env) is False
    linux.autostart_disable(env)  # twice is fine


def test_linux_falls_back_to_home_config(tmp_path):
    assert linux.autostart_file({"HOME": str(tmp_path)}) == tmp_path / ".config" / "autostart" / f"{APP_ID}.desktop"


@pytest.mark.parametrize("line", ["Hidden=true", "X-GNOME-Autostart-enabled=false",
                                  "X-GNOME-Autostart-enabled = false"])
def test_linux_entry_switched_off_by_the_desktop_counts_as_off(tmp_path, line):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    linux.autostart_enable(COMMAND, env)
    path = linux.autostart_file(env)
    path.write_text(path.read_text().replace("X-GNOME-Autostart-enabled=true", line))
    assert linux.autostart_enabled(env) is False
    linux.autostart_enable(COMMAND, env)
    assert linux.autostart_enabled(env) is True


@pytest.mark.parametrize("arg", ["/plain/path", "with space", 'quo"te', "back\\slash", "dollar$HOME", "100%", "`tick`"])
def test_linux_exec_quoting_round_trips(arg):
    """Undo the spec's two levels (string escapes, then the Exec quoting) and get the argument back."""
    field = linux._exec_arg(arg)
    unescaped = field.replace("\\\\", "\\")  # string level
    assert exec_unquote(unescaped).replace("%%", "%") == arg


def exec_unquote(text: str) -> str:
    """One Exec argument as the spec reads it: quoted whole, a backslash escapes the next character."""
    if not text.startswith('"'):
        assert not set(' "\\$`').intersection(text)
        return text
    assert text.endswith('"') and len(text) >= 2
    out, chars = [], iter(text[1:-1])
    for c in chars:
        if c == "\\":
            c = next(chars)
            assert c in '"`$\\', f"only these may be escaped, not {c!r}"
        else:
            assert c not in '"`$', f"{c!r} must be escaped"
        out.append(c)
    return "".join(out)


def _installed(tmp_path, *, script=True, in_site=True):
    bindir = tmp_path / "usr" / "bin"
    site_dir = tmp_path / "usr" / "lib" / "python3" / "dist-packages"
    package = (site_dir if in_site else tmp_path / "checkout") / "necka_tray"
    package.mkdir(parents=True)
    bindir.mkdir(parents=True)
    if script:
        (bindir / "necka-tray").write_text("#!/usr/bin/python3\n")
        (bindir / "necka-tray").chmod(0o755)
    return dict(executable=str(bindir / "python3"), package_dir=package, site_dirs=[str(site_dir)])


def test_an_installed_necka_starts_at_login_by_its_own_command(tmp_path):
    """The .deb (or pipx): /usr/bin/necka-tray beside /usr/bin/python3, the package in dist-packages."""
    from necka_tray.desktop.autostart import launch_command

    assert launch_command(**_installed(tmp_path)) == [str(tmp_path / "usr" / "bin" / "necka-tray")]


@pytest.mark.parametrize("kind", ["checkout", "no script"])
def test_a_checkout_starts_at_login_as_it_runs_now(tmp_path, kind):
    """A checkout on sys.path (an editable install), or no console script: ``python -m necka_tray``."""
    import sys

    from necka_tray.desktop.autostart import launch_command

    args = _installed(tmp_path, script=kind != "no script", in_site=kind != "checkout")
    assert launch_command(**args) == [sys.executable, "-m", "necka_tray"]


# -- macOS: LaunchAgent plist ----------------------------------------------------------------


def test_macos_writes_a_launch_agent(tmp_path):
    assert macos.autostart_enabled(tmp_path) is False
    macos.autostart_enable(COMMAND, tmp_path)
    path = tmp_path / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent == {"Label": APP_ID, "ProgramArguments": COMMAND, "RunAtLoad": True, "ProcessType": "Interactive"}
    assert macos.autostart_enabled(tmp_path) is True
    macos.autostart_disable(tmp_path)
    assert macos.autostart_enabled(tmp_path) is False


# -- Windows: HKCU\...\Run, with a fake winreg ----------------------------------------------------


class FakeWinreg:
    HKEY_CURRENT_USER = "HKCU"
    KEY_SET_VALUE = 2
    REG_SZ = 1

    def __init__(self):
        self.keys: dict[tuple[str, str], dict[str, tuple[int, str]]] = {}

    class _Key:
        def __init__(self, values):
            self.values = values

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def CreateKey(self, root, sub):
        return self._Key(self.keys.setdefault((root, sub), {}))

    def OpenKey(self, root, sub, reserved=0, access=0):
        if (root, sub) not in self.keys:
            raise FileNotFoundError(sub)
        return self._Key(self.keys[(root, sub)])

    def SetValueEx(self, key, name, reserved, kind, value):
        key.values[name] = (kind, value)

    def QueryValueEx(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(name)
        return key.values[name][1], key.values[name][0]

    def DeleteValue(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(name)
        del key.values[name]


def test_windows_uses_the_per_user_run_key(tmp_path):
    reg = FakeWinreg()
    assert windows.autostart_enabled(reg) is False
    windows.autostart_disable(reg)  # nothing to remove: fine
    exe_dir = tmp_path / "Python311"
    exe_dir.mkdir()
    (exe_dir / "python.exe").touch()
    (exe_dir / "pythonw.exe").touch()
    windows.autostart_enable([str(exe_dir / "python.exe"), "-m", "necka_tray"], reg)
    values = reg.keys[("HKCU", r"Software\Microsoft\Windows\CurrentVersion\Run")]
    kind, command = values["Necka"]
    assert kind == reg.REG_SZ
    assert command == f"{exe_dir / 'pythonw.exe'} -m necka_tray"  # no console window at login
    assert windows.autostart_enabled(reg) is True
    windows.autostart_disable(reg)
    assert windows.autostart_enabled(reg) is False


def test_windows_starts_the_windowless_frozen_app_not_its_console_twin(tmp_path):
    reg = FakeWinreg()
    (tmp_path / "necka-tray.exe").touch()
    (tmp_path / "necka-tray-cli.exe").touch()
    windows.autostart_enable([str(tmp_path / "necka-tray-cli.exe")], reg)
    assert reg.keys[("HKCU", windows.RUN_KEY)]["Necka"][1] == str(tmp_path / "necka-tray.exe")


def test_windows_quotes_paths_with_spaces():
    reg = FakeWinreg()
    windows.autostart_enable([r"C:\Program Files\Necka\necka-tray.exe"], reg)
    _, command = reg.keys[("HKCU", windows.RUN_KEY)]["Necka"]
    assert command == r'"C:\Program Files\Necka\necka-tray.exe"'
