"""The StatusNotifierItem's side of the bus as data: its properties, its signals, its introspection XML.

Pure functions of the tray's view (``sni.py`` holds the connection and the
threads), so a test reads what a host would see without a bus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from necka_tray.tray import dbusmenu

if TYPE_CHECKING:
    from necka_tray.core.planner import TrayView

PATH = "/StatusNotifierItem"
APP_ICON = "io.github.necka.Necka"


def item_properties(view: TrayView | None, pixmaps: Callable[[tuple], list], icon_dir: str) -> dict[str, tuple]:
    """The item's properties for ``view`` (None: before the first one), as ``GetAll`` returns them;
    ``pixmaps(icon_key)`` gives the ARGB32 pixmaps drawn so far, ``icon_dir`` the installed icon theme."""
    key = view.icon_key if view else (0, False, False)
    due = bool(view and view.stretch_due)
    icon = pixmaps(key)
    return {
        "Category": ("s", "ApplicationStatus"), "Id": ("s", "necka-tray"), "Title": ("s", "Necka"),
        "Status": ("s", "NeedsAttention" if due else "Active"),
        "WindowId": ("i", 0), "ItemIsMenu": ("b", False), "Menu": ("o", dbusmenu.PATH),
        "IconThemePath": ("s", icon_dir),
        # A themed icon cannot show the ring: the name only until the pixmaps are drawn.
        "IconName": ("s", APP_ICON if icon_dir and not icon else ""),
        "IconPixmap": ("a(iiay)", icon),
        "AttentionIconName": ("s", ""),
        "AttentionIconPixmap": ("a(iiay)", pixmaps((key[0], True, key[2])) if due else []),
        "OverlayIconName": ("s", ""), "OverlayIconPixmap": ("a(iiay)", []),
        "AttentionMovieName": ("s", ""),
        "ToolTip": ("(sa(iiay)ss)", ("", [], view.tooltip if view else "Necka", "")),
        # Ayatana's extensions, which GNOME's AppIndicator extension asks for: what a screen reader says
        # (the icon: the title, which never changes; while a stretch is due: the tooltip, fixed then).
        "IconAccessibleDesc": ("s", "Necka"),
        "AttentionAccessibleDesc": ("s", view.tooltip if due and view else ""),
        "XAyatanaLabel": ("s", ""), "XAyatanaLabelGuide": ("s", ""), "XAyatanaOrderingIndex": ("u", 0),
    }


#: Which signal announces a change of which properties.
_SIGNALS = (("NewIcon", ("IconName", "IconPixmap", "IconAccessibleDesc")),
            ("NewAttentionIcon", ("AttentionIconPixmap", "AttentionAccessibleDesc")),
            ("NewToolTip", ("ToolTip",)), ("NewTitle", ("Title",)))


def item_signals(old: dict, new: dict) -> list[tuple[str, str, tuple]]:
    """``(member, signature, body)`` of each item signal that ``old`` -> ``new`` needs; none when equal."""
    changed = {k for k in new if old.get(k) != new[k]}
    out = [(name, "", ()) for name, keys in _SIGNALS if changed.intersection(keys)]
    if "Status" in changed:
        out.append(("NewStatus", "s", (new["Status"][1],)))
    return out


def properties_call(props: dict, interface: str, member: str, body: tuple) -> tuple[str, tuple]:
    if member == "Get":
        if body[0] not in (interface, "") or body[1] not in props:
            raise LookupError(body[1])
        return "v", (props[body[1]],)
    if member == "GetAll":
        return "a{sv}", (dict(props) if body[0] in (interface, "") else {},)
    raise KeyError(member)


def introspection(path: str) -> str:
    if path == PATH:
        return _ITEM_XML
    if path == dbusmenu.PATH:
        return dbusmenu.INTROSPECTION
    children = {"/": '<node name="StatusNotifierItem"/><node name="MenuBar"/>'}
    return f"<node>{children.get(path, '')}</node>"


_ITEM_XML = """<node><interface name="org.kde.StatusNotifierItem">
<property name="Category" type="s" access="read"/><property name="Id" type="s" access="read"/>
<property name="Title" type="s" access="read"/><property name="Status" type="s" access="read"/>
<property name="WindowId" type="i" access="read"/><property name="IconThemePath" type="s" access="read"/>
<property name="Menu" type="o" access="read"/><property name="ItemIsMenu" type="b" access="read"/>
<property name="IconName" type="s" access="read"/><property name="IconPixmap" type="a(iiay)" access="read"/>
<property name="OverlayIconName" type="s" access="read"/>
<property name="OverlayIconPixmap" type="a(iiay)" access="read"/>
<property name="AttentionIconName" type="s" access="read"/>
<property name="AttentionIconPixmap" type="a(iiay)" access="read"/>
<property name="AttentionMovieName" type="s" access="read"/>
<property name="ToolTip" type="(sa(iiay)ss)" access="read"/>
<property name="IconAccessibleDesc" type="s" access="read"/>
<property name="AttentionAccessibleDesc" type="s" access="read"/>
<property name="XAyatanaLabel" type="s" access="read"/><property name="XAyatanaLabelGuide" type="s" access="read"/>
<property name="XAyatanaOrderingIndex" type="u" access="read"/>
<method name="ContextMenu"><arg name="x" type="i" direction="in"/><arg name="y" type="i" direction="in"/></method>
<method name="Activate"><arg name="x" type="i" direction="in"/><arg name="y" type="i" direction="in"/></method>
<method name="SecondaryActivate"><arg name="x" type="i" direction="in"/><arg name="y" type="i" direction="in"/>
</method>
<method name="Scroll"><arg name="delta" type="i" direction="in"/><arg name="orientation" type="s" direction="in"/>
</method>
<method name="ProvideXdgActivationToken"><arg name="token" type="s" direction="in"/></method>
<method name="XAyatanaSecondaryActivate"><arg name="timestamp" type="u" direction="in"/></method>
<signal name="NewTitle"/><signal name="NewIcon"/><signal name="NewAttentionIcon"/><signal name="NewOverlayIcon"/>
<signal name="NewToolTip"/><signal name="NewStatus"><arg name="status" type="s"/></signal>
<signal name="NewIconThemePath"><arg name="icon_theme_path" type="s"/></signal><signal name="NewMenu"/>
<signal name="XAyatanaNewLabel"><arg name="label" type="s"/><arg name="guide" type="s"/></signal>
</interface><interface name="org.freedesktop.DBus.Properties">
<method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="v" direction="out"/></method>
<method name="GetAll"><arg type="s" direction="in"/><arg type="a{sv}" direction="out"/></method>
</interface></node>"""
