"""The tray menu as a ``com.canonical.dbusmenu`` object: what SNI hosts render as their native menu.

Hosts cache each item's properties by id (GNOME's AppIndicator extension
re-reads only ``type`` and ``children-display`` of an id it knows; libdbusmenu
ignores a ``LayoutUpdated`` whose revision it has already read), so an id
must name one item for the menu's whole life. ``Ids`` gives each item an id
from its ``key`` (what it is: "interval:45", "snooze"), never from its place,
and never gives a retired id to another item: when Snooze and Skip appear,
"45 min" keeps its id, and a click from a host that still shows the old menu
reaches the item it names, or nothing.

``build`` turns ``menu_model`` entries into the tree of ``(id, properties,
children)``; ``changes`` compares two trees: ``LayoutUpdated`` (a new
revision) when items came, went or moved, ``ItemsPropertiesUpdated`` with
each changed property and each removed one (reset to its default there) for
the items both trees share, and nothing when nothing visible changed.

``DBusMenu`` answers the interface's method calls on the SNI item's D-Bus
thread from the latest ``Layout`` (replaced whole, never mutated). A click
(``Event(id, "clicked")``) on an enabled item hands its action to
``on_action``, the callback a choice in the XEmbed popup reaches.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from necka_tray.tray.menu_model import Entry

logger = logging.getLogger(__name__)

INTERFACE = "com.canonical.dbusmenu"
PATH = "/MenuBar"
NODE = "(ia{sv}av)"

Props = dict[str, tuple[str, Any]]  # name -> (D-Bus signature, value): a{sv} as jeepney takes it
Node = tuple[int, Props, tuple["Node", ...]]

#: The spec's defaults: what a host assumes for a property the item leaves out (or removes).
DEFAULTS: Props = {"type": ("s", "standard"), "label": ("s", ""), "enabled": ("b", True), "visible": ("b", True),
                   "icon-name": ("s", ""), "toggle-type": ("s", ""), "toggle-state": ("i", -1),
                   "children-display": ("s", ""), "disposition": ("s", "normal")}


def escape(label: str) -> str:
    """A label as dbusmenu shows it: ``_`` marks a mnemonic there, so a literal one is doubled."""
    return label.replace("_", "__")


def props(entry: Entry) -> Props:
    """An entry's dbusmenu properties; defaults (enabled, visible, standard type) are left out."""
    if entry.separator:
        return {"type": ("s", "separator")}
    p: Props = {"label": ("s", escape(entry.label))}
    if not entry.enabled:
        p["enabled"] = ("b", False)
    if entry.children:
        p["children-display"] = ("s", "submenu")
    if entry.checked is not None:
        p["toggle-type"] = ("s", "radio" if entry.radio else "checkmark")
        p["toggle-state"] = ("i", 1 if entry.checked else 0)
    return p


def key_of(entry: Entry) -> str:
    """What the entry is: its ``key``, else its action, else its label (separators: their kind)."""
    if entry.key:
        return entry.key
    if entry.action is not None:
        return "action:" + repr(entry.action.to_json())
    return ("separator" if entry.separator else "label:" + entry.label)


class Ids:
    """One id per item key for the life of the menu: the table only grows, so no id is ever reused."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def __call__(self, key: str) -> int:
        if key not in self._ids:
            self._ids[key] = len(self._ids) + 1  # the root is 0
        return self._ids[key]

    def __contains__(self, item_id: int) -> bool:
        return 0 < item_id <= len(self._ids)


@dataclass(frozen=True)
class Layout:
    """One menu as dbusmenu sees it: the tree (root id 0), each id's properties and action."""

    root: Node
    props: dict[int, Props] = field(default_factory=dict)
    actions: dict[int, Any] = field(default_factory=dict)
    #: The tree of ids alone: when it differs, the host must fetch the layout again.
    shape: tuple = ()
    revision: int = 0


def build(entries: tuple[Entry, ...], revision: int = 1, ids: Ids | None = None) -> Layout:
    """The dbusmenu tree of ``entries``, each item's id from ``ids`` (a fresh table: numbered in menu order)."""
    ids = Ids() if ids is None else ids
    all_props: dict[int, Props] = {0: {"children-display": ("s", "submenu")}}
    actions: dict[int, Any] = {}

    def nodes(entries: tuple[Entry, ...], parent: str) -> tuple[Node, ...]:
        out, seen = [], set()
        for entry in entries:
            key = f"{parent}/{key_of(entry)}"
            n = 1
            while key in seen:  # two items that say the same: told apart by their order
                n += 1
                key = f"{parent}/{key_of(entry)}#{n}"
            seen.add(key)
            item_id = ids(key)
            all_props[item_id] = props(entry)
            if entry.action and not entry.children:
                actions[item_id] = entry.action
            out.append((item_id, all_props[item_id], nodes(entry.children, key)))
        return tuple(out)

    root: Node = (0, all_props[0], nodes(entries, ""))
    return Layout(root, all_props, actions, _shape(root), revision)


def _shape(node: Node) -> tuple:
    return node[0], tuple(_shape(c) for c in node[2])


@dataclass(frozen=True)
class Change:
    """What the host must hear: ``layout`` (fetch the tree again), and the properties of the ids it keeps."""

    layout: bool = False
    updated: tuple[tuple[int, Props], ...] = ()
    removed: tuple[tuple[int, tuple[str, ...]], ...] = ()


def changes(old: Layout | None, new: Layout) -> Change | None:
    """How ``new`` differs from ``old`` as the host sees it; None when it does not."""
    if old is None:
        return Change(layout=True)
    updated, removed = [], []
    for item_id, p in new.props.items():
        if item_id not in old.props:
            continue  # a new item: the host reads all of it after LayoutUpdated
        before = old.props[item_id]
        diff = {k: v for k, v in p.items() if before.get(k) != v}
        gone = tuple(k for k in before if k not in p)
        if diff:
            updated.append((item_id, diff))
        if gone:
            removed.append((item_id, gone))
    layout = old.shape != new.shape
    if not layout and not updated and not removed:
        return None
    return Change(layout, tuple(updated), tuple(removed))


def _info_lines(layout: Layout) -> list[int]:
    """The top level's status lines (disabled labels without an action or children), and the separator
    right after them (with them hidden, it would double the one before)."""
    out: list[int] = []
    after_line = False
    for item_id, p, children in layout.root[2]:
        line = p.get("enabled") == ("b", False) and not children and item_id not in layout.actions
        if p.get("type") == ("s", "separator"):
            if after_line:
                out.append(item_id)
            after_line = False
        elif line:
            out.append(item_id)
            after_line = True
        else:
            after_line = False
    return out


def find(node: Node, item_id: int) -> Node | None:
    if node[0] == item_id:
        return node
    for child in node[2]:
        found = find(child, item_id)
        if found is not None:
            return found
    return None


def wire(node: Node, depth: int = -1, names: tuple[str, ...] = ()) -> tuple:
    """``node`` as the ``(ia{sv}av)`` struct ``GetLayout`` returns, ``depth`` levels deep (-1: all)."""
    item_id, p, children = node
    shown = {k: v for k, v in p.items() if not names or k in names}
    kids = [] if depth == 0 else [(NODE, wire(c, depth - 1, names)) for c in children]
    return item_id, shown, kids


class DBusMenu:
    """The ``com.canonical.dbusmenu`` object at ``PATH``: its methods, and its signals as messages."""

    PROPERTIES: Props = {"Version": ("u", 3), "TextDirection": ("s", "ltr"), "Status": ("s", "normal"),
                         "IconThemePath": ("as", [])}

    def __init__(self, on_action: Callable[[tuple], None]) -> None:
        self._on_action = on_action
        self._ids = Ids()
        #: Revision 0 until the first menu: a host that read the empty menu before it still takes revision 1
        #: (libdbusmenu, as in Xfce's panel, skips a LayoutUpdated whose revision it has read).
        self.layout: Layout = Layout((0, {"children-display": ("s", "submenu")}, ()),
                                     {0: {"children-display": ("s", "submenu")}}, {}, (0, ()), 0)
        self._started = False
        self._stale_logged: set[int] = set()
        self._hinted = -1  # the revision whose submenus were announced (``hints``)
        self._inline_open: set[int] = set()  # submenus open in place (``inline_event``)

    def update(self, entries: tuple[Entry, ...]) -> list[tuple[str, str, tuple]]:
        """Take the new menu; the signals to emit as ``(member, signature, body)`` (none: nothing changed)."""
        revision = self.layout.revision
        new = build(entries, revision, self._ids)
        if self._inline_open:
            for item_id in _info_lines(new):
                new.props[item_id]["visible"] = ("b", False)
        change = changes(self.layout if self._started else None, new)
        self._started = True
        if change is None:
            self.layout = new
            return []
        signals = []
        if change.updated or change.removed:  # ids the host keeps: it re-reads only some of their properties
            signals.append(("ItemsPropertiesUpdated", "a(ia{sv})a(ias)",
                            ([(i, p) for i, p in change.updated], [(i, list(names)) for i, names in change.removed])))
        if change.layout:
            new = Layout(new.root, new.props, new.actions, new.shape, revision + 1)
            signals.append(("LayoutUpdated", "ui", (new.revision, 0)))
        self.layout = new
        return signals

    def reconnected(self) -> None:
        """A new connection: hosts read the menu afresh, so its submenus are announced again."""
        self._hinted = -1

    def hints(self, member: str, body: tuple) -> list[tuple[str, str, tuple]]:
        """Signals to send after answering ``member``: once per revision, after the host first reads the
        top level, a ``LayoutUpdated(revision, id)`` per submenu, so a host that reads one level at a time
        (Plasma's systemtray) fills each submenu before it opens: it shows an empty one on first hover
        otherwise. Hosts that read the whole tree re-read it once; libdbusmenu skips a revision it has."""
        if member != "GetLayout" or body[0] != 0 or self._hinted == self.layout.revision or not self._started:
            return []
        self._hinted = self.layout.revision
        return [("LayoutUpdated", "ui", (self.layout.revision, item_id))
                for item_id, p in self.layout.props.items()
                if item_id and p.get("children-display") == ("s", "submenu")]

    def inline_event(self, body: tuple) -> list[tuple[str, str, tuple]]:
        """After an ``Event`` from a host that opens submenus in place (GNOME Shell): while one is open,
        the status lines are hidden. GNOME gives an opened submenu only the room left below the menu's
        maximum height, and Necka's menu is as tall as a 1280x800 screen, so Break interval opened as
        an empty strip; without the five lines its choices show whole. The lines return on close."""
        item_id, event_id = body[0], body[1]
        was = bool(self._inline_open)
        if item_id == 0 and event_id in ("opened", "closed"):
            self._inline_open.clear()
        elif event_id == "closed":
            self._inline_open.discard(item_id)
        elif event_id == "opened" and self.layout.props.get(item_id, {}).get("children-display") == ("s", "submenu"):
            self._inline_open.add(item_id)
        hide = bool(self._inline_open)
        lines = _info_lines(self.layout)
        if hide == was or not lines:
            return []
        for line in lines:
            if hide:
                self.layout.props[line]["visible"] = ("b", False)
            else:
                self.layout.props[line].pop("visible", None)
        return [("ItemsPropertiesUpdated", "a(ia{sv})a(ias)",
                 ([(line, {"visible": ("b", not hide)}) for line in lines], []))]

    def call(self, member: str, body: tuple) -> tuple[str, tuple]:
        """Answer one method call: ``(signature, body)`` of the reply; raises KeyError for an unknown
        method and LookupError for an unknown item id."""
        layout = self.layout
        if member == "GetLayout":
            parent, depth, names = body
            node = find(layout.root, parent)
            if node is None:
                raise LookupError(parent)
            return "u" + NODE, (layout.revision, wire(node, depth, tuple(names)))
        if member == "GetGroupProperties":
            ids, names = body
            ids = ids or list(layout.props)
            return "a(ia{sv})", ([(i, {k: v for k, v in layout.props[i].items() if not names or k in names})
                                  for i in ids if i in layout.props],)
        if member == "GetProperty":
            item_id, name = body
            if item_id not in layout.props:
                raise LookupError(item_id)
            value = layout.props[item_id].get(name, DEFAULTS.get(name))
            if value is None:
                raise LookupError(name)
            return "v", (value,)
        if member == "Event":
            item_id, event_id, _data, _timestamp = body
            if not self._event(layout, item_id, event_id):
                raise LookupError(item_id)
            return "", ()
        if member == "EventGroup":
            (events,) = body
            missing = [item_id for item_id, event_id, _data, _ts in events if not self._event(layout, item_id, event_id)]
            return "ai", (missing,)
        if member == "AboutToShow":
            (item_id,) = body
            if item_id not in layout.props:
                raise LookupError(item_id)
            return "b", (False,)  # the layout is always current: nothing to update first
        if member == "AboutToShowGroup":
            (ids,) = body
            return "aiai", ([], [i for i in ids if i not in layout.props])
        raise KeyError(member)

    def _event(self, layout: Layout, item_id: int, event_id: str) -> bool:
        """Handle one event; False when ``item_id`` names no item of this menu (the first time: logged)."""
        if item_id not in layout.props:
            if item_id not in self._stale_logged:
                self._stale_logged.add(item_id)
                known = "retired" if item_id in self._ids else "unknown"  # left the menu, or never in it
                logger.warning("action=dbusmenu-stale id=%s event=%s id-was=%s ignored", item_id, event_id, known)
            return False
        if event_id != "clicked":
            return True
        action = layout.actions.get(item_id)
        enabled = layout.props[item_id].get("enabled", ("b", True))[1]
        logger.debug("action=dbusmenu-click id=%s action=%s enabled=%s", item_id, action, enabled)
        if action is not None and enabled:
            self._on_action(action)
        return True


INTROSPECTION = """<node><interface name="com.canonical.dbusmenu">
<method name="GetLayout"><arg type="i" direction="in"/><arg type="i" direction="in"/><arg type="as" direction="in"/>
<arg type="u" direction="out"/><arg type="(ia{sv}av)" direction="out"/></method>
<method name="GetGroupProperties"><arg type="ai" direction="in"/><arg type="as" direction="in"/>
<arg type="a(ia{sv})" direction="out"/></method>
<method name="GetProperty"><arg type="i" direction="in"/><arg type="s" direction="in"/>
<arg type="v" direction="out"/></method>
<method name="Event"><arg type="i" direction="in"/><arg type="s" direction="in"/><arg type="v" direction="in"/>
<arg type="u" direction="in"/></method>
<method name="EventGroup"><arg type="a(isvu)" direction="in"/><arg type="ai" direction="out"/></method>
<method name="AboutToShow"><arg type="i" direction="in"/><arg type="b" direction="out"/></method>
<method name="AboutToShowGroup"><arg type="ai" direction="in"/><arg type="ai" direction="out"/>
<arg type="ai" direction="out"/></method>
<signal name="ItemsPropertiesUpdated"><arg type="a(ia{sv})"/><arg type="a(ias)"/></signal>
<signal name="LayoutUpdated"><arg type="u"/><arg type="i"/></signal>
<signal name="ItemActivationRequested"><arg type="i"/><arg type="u"/></signal>
<property name="Version" type="u" access="read"/><property name="TextDirection" type="s" access="read"/>
<property name="Status" type="s" access="read"/><property name="IconThemePath" type="as" access="read"/>
</interface></node>"""
