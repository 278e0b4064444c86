// Necka's KWin script (KWin 5.27 scripting API): tells Necka whether the active window is full
// screen, at the start and whenever that changes. KWin gives Wayland clients no window state,
// and a script can call D-Bus but export nothing, so Necka serves and the script pushes.
// Loaded and unloaded by necka_tray/desktop/dnd/kwin.py through org.kde.kwin.Scripting.
var NAME = "io.github.necka.Necka.KWinWatch";
var watched = null;

function report() {
    var active = workspace.activeClient;
    callDBus(NAME, "/io/github/necka/Necka/KWinWatch", NAME, "FullScreen", !!(active && active.fullScreen));
}

function follow(client) {
    if (watched !== null) {
        try {
            watched.fullScreenChanged.disconnect(report);
        } catch (e) {
            // the window is gone, and its connection with it
        }
    }
    watched = client || null;
    if (watched !== null) {
        watched.fullScreenChanged.connect(report);
    }
    report();
}

workspace.clientActivated.connect(follow); // first: where the API differs this throws, before any report
follow(workspace.activeClient);
