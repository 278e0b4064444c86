"""The tray menu as a ``com.canonical.dbusmenu`` object: what SNI hosts render as their native menu.

``build`` is a pure function from ``menu_model`` entries (the same ones the
XEmbed popup shows) to the dbusmenu tree of ``(id, properties, children)``;
``changes`` compares two trees so the host hears ``LayoutUpdated`` only when
items came or went, ``ItemsPropertiesUpdated`` when only a label, a check or
an enabled state changed, and nothing at all when nothing visible changed
(the once-a-minute refresh of an unchanged menu costs the host no redraw).

``DBusMenu`` answers the interface's method calls; it runs on the SNI item's
D-Bus thread and reads the latest ``Layout`` (replaced whole, never mutated).
A click (``Event(id, "clicked")``) hands the item's action to ``on_action``,
the same callback a choice in the XEmbed popup reaches.
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


@dataclass(frozen=True)
class Layout:
    """One menu as dbusmenu sees it: the tree (root id 0), each id's properties and action."""

    root: Node
    props: dict[int, Props] = field(default_factory=dict)
    actions: dict[int, Any] = field(default_factory=dict)
    #: The tree without labels and states: when it differs, the host must fetch the layout again.
    shape: tuple = ()
    revision: int = 1


def build(entries: tuple[Entry, ...], revision: int = 1) -> Layout:
    """The dbusmenu tree of ``entries``: ids numbered depth-first from 1, in menu order."""
    all_props: dict[int, Props] = {0: {"children-display": ("s", "submenu")}}
    actions: dict[int, Any] = {}
    counter = iter(range(1, 1 << 31))

    def node(entry: Entry) -> Node:
        item_id = next(counter)
        all_props[item_id] = props(entry)
        if entry.action and not entry.children:
            actions[item_id] = entry.action
        return item_id, all_props[item_id], tuple(node(c) for c in entry.children)

    children = tuple(node(e) for e in entries)
    root: Node = (0, all_props[0], children)
    return Layout(root, all_props, actions, _shape(root), revision)


def _shape(node: Node) -> tuple:
    item_id, p, children = node
    return item_id, p.get("type"), p.get("children-display"), tuple(_shape(c) for c in children)


@dataclass(frozen=True)
class Change:
    """What the host must hear: ``layout`` (fetch it all again), or properties per id."""

    layout: bool = False
    updated: tuple[tuple[int, Props], ...] = ()
    removed: tuple[tuple[int, tuple[str, ...]], ...] = ()


def changes(old: Layout | None, new: Layout) -> Change | None:
    """How ``new`` differs from ``old`` as the host sees it; None when it does not."""
    if old is None or old.shape != new.shape:
        return Change(layout=True)
    updated, removed = [], []
    for item_id, p in new.props.items():
        before = old.props.get(item_id, {})
        diff = {k: v for k, v in p.items() if before.get(k) != v}
        gone = tuple(k for k in before if k not in p)
        if diff:
            updated.append((item_id, diff))
        if gone:
            removed.append((item_id, gone))
    if not updated and not removed:
        return None
    return Change(updated=tuple(updated), removed=tuple(removed))


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
        self.layout: Layout | None = None

    def update(self, entries: tuple[Entry, ...]) -> list[tuple[str, str, tuple]]:
        """Take the new menu; the signals to emit as ``(member, signature, body)`` (none: nothing changed)."""
        revision = self.layout.revision if self.layout else 0
        new = build(entries, revision)
        change = changes(self.layout, new)
        if change is None:
            return []
        if change.layout:
            new = build(entries, revision + 1)
            self.layout = new
            return [("LayoutUpdated", "ui", (new.revision, 0))]
        self.layout = new
        return [("ItemsPropertiesUpdated", "a(ia{sv})a(ias)",
                 ([(i, p) for i, p in change.updated], [(i, list(names)) for i, names in change.removed]))]

    def call(self, member: str, body: tuple) -> tuple[str, tuple]:
        """Answer one method call: ``(signature, body)`` of the reply; raises KeyError for an unknown
        method and LookupError for an unknown item id."""
        layout = self.layout or build(())
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
            value = layout.props.get(item_id, {}).get(name)
            if value is None:
                raise LookupError(item_id)
            return "v", (value,)
        if member == "Event":
            item_id, event_id, _data, _timestamp = body
            self._event(layout, item_id, event_id)
            return "", ()
        if member == "EventGroup":
            (events,) = body
            for item_id, event_id, _data, _timestamp in events:
                self._event(layout, item_id, event_id)
            return "ai", ([e[0] for e in events if e[0] not in layout.props],)
        if member == "AboutToShow":
            return "b", (False,)  # the layout is always current: nothing to update first
        if member == "AboutToShowGroup":
            return "aiai", ([], [])
        raise KeyError(member)

    def _event(self, layout: Layout, item_id: int, event_id: str) -> None:
        if event_id != "clicked":
            return
        action = layout.actions.get(item_id)
        logger.debug("action=dbusmenu-click id=%s action=%s", item_id, action)
        if action is not None:
            self._on_action(action)


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
