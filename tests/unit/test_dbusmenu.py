"""The dbusmenu layout built from the menu model: the tree SNI hosts render, and what they are told."""

from necka_tray.core.actions import Action, Verb
from necka_tray.core.planner import TrayView
from necka_tray.core.reminders import Kind
from necka_tray.tray import dbusmenu, menu_model
from necka_tray.tray.menu_model import SEPARATOR, Entry


def view(**kw) -> TrayView:
    base = dict(tooltip="Necka: stretch break in 23 min", status_lines=("Posture check in 12 min",), ring_step=2,
                stretch_due=False, paused=False, session_running=False)
    return TrayView(**{**base, **kw})


def menu(interval=60, **kw):
    return menu_model.build_menu(view(**kw), interval, {k: True for k in Kind}, autostart=False,
                                 today=("Today: 3 stretches",))


def labelled(layout: dbusmenu.Layout, label: str):
    matches = [(i, p) for i, p in layout.props.items() if p.get("label") == ("s", label)]
    assert len(matches) == 1, (label, matches)
    return matches[0]


def children(node, label):
    return next(c for c in node[2] if c[1].get("label") == ("s", label))


def test_items_separators_status_lines_and_submenus():
    layout = dbusmenu.build(menu())
    root_id, root_props, top = layout.root
    assert root_id == 0 and root_props == {"children-display": ("s", "submenu")}
    assert top[0][1] == {"label": ("s", "Start stretch session")}
    assert {"type": ("s", "separator")} in [n[1] for n in top]
    assert labelled(layout, "Posture check in 12 min")[1]["enabled"] == ("b", False)
    interval = children(layout.root, "Break interval")
    assert interval[1]["children-display"] == ("s", "submenu")
    assert [c[1]["label"][1] for c in interval[2]] == ["20 min", "30 min", "45 min", "60 min", "90 min"]


def test_interval_is_a_radio_group_reminders_and_login_are_check_items():
    layout = dbusmenu.build(menu(interval=45))
    radios = children(layout.root, "Break interval")[2]
    assert all(c[1]["toggle-type"] == ("s", "radio") for c in radios)
    assert [c[1]["toggle-state"][1] for c in radios] == [0, 0, 1, 0, 0]
    for c in children(layout.root, "Reminders")[2]:
        assert c[1]["toggle-type"] == ("s", "checkmark") and c[1]["toggle-state"] == ("i", 1)
    _, login = labelled(layout, "Start at login")
    assert login["toggle-type"] == ("s", "checkmark") and login["toggle-state"] == ("i", 0)


def test_ids_map_to_the_same_actions_as_the_popup():
    entries = menu()
    layout = dbusmenu.build(entries)
    chosen = labelled(layout, "45 min")[0]
    assert layout.actions[chosen] == Action(Verb.INTERVAL, 45)
    assert layout.actions[labelled(layout, "Start stretch session")[0]] == Action(Verb.SESSION)
    assert labelled(layout, "Break interval")[0] not in layout.actions  # a submenu is no action
    ids = [n[0] for n in _walk(layout.root)]
    assert len(ids) == len(set(ids)) == len(layout.props)


def _walk(node):
    yield node
    for c in node[2]:
        yield from _walk(c)


def test_mnemonics_are_escaped():
    layout = dbusmenu.build((Entry("my_routine · 1 min", Action(Verb.ROUTINE, "my_routine")),))
    assert layout.root[2][0][1]["label"] == ("s", "my__routine · 1 min")
    assert dbusmenu.escape("a_b_c") == "a__b__c"


def test_no_signal_when_nothing_visibly_changed():
    m = dbusmenu.DBusMenu(lambda a: None)
    assert m.update(menu()) == [("LayoutUpdated", "ui", (1, 0))]
    assert m.update(menu()) == []


def test_a_new_label_or_check_is_a_properties_update_not_a_new_layout():
    m = dbusmenu.DBusMenu(lambda a: None)
    m.update(menu())
    [(name, sig, (updated, removed))] = m.update(menu(status_lines=("Posture check in 11 min",)))
    assert (name, sig, removed) == ("ItemsPropertiesUpdated", "a(ia{sv})a(ias)", [])
    assert [p for _, p in updated] == [{"label": ("s", "Posture check in 11 min")}]
    [(name, _, (updated, _))] = m.update(menu(status_lines=("Posture check in 11 min",), interval=45))
    assert sorted(p["toggle-state"][1] for _, p in updated) == [0, 1]


def test_a_removed_property_is_announced():
    m = dbusmenu.DBusMenu(lambda a: None)
    m.update(menu())
    [(_, _, (updated, removed))] = m.update(menu(session_running=True))  # Start... disabled
    assert updated == [(1, {"enabled": ("b", False)})] and removed == []
    [(_, _, (updated, removed))] = m.update(menu())
    assert updated == [] and removed == [(1, ["enabled"])]


def test_items_coming_or_going_is_a_new_layout_revision():
    m = dbusmenu.DBusMenu(lambda a: None)
    m.update(menu())
    assert m.update(menu(stretch_due=True)) == [("LayoutUpdated", "ui", (2, 0))]  # Snooze and Skip appear
    assert m.call("GetLayout", (0, -1, []))[1][0] == 2


def test_get_layout_depth_and_property_filter():
    m = dbusmenu.DBusMenu(lambda a: None)
    m.update((Entry("Top", children=(Entry("Inner", Action(Verb.QUIT)),)), SEPARATOR))
    sig, (revision, root) = m.call("GetLayout", (0, 1, ["label"]))
    assert sig == "u(ia{sv}av)" and revision == 1
    assert root == (0, {}, [("(ia{sv}av)", (1, {"label": ("s", "Top")}, [])),
                            ("(ia{sv}av)", (3, {}, []))])
    assert m.call("GetLayout", (1, -1, []))[1][1][2] == [("(ia{sv}av)", (2, {"label": ("s", "Inner")}, []))]
    assert m.call("GetGroupProperties", ([2], []))[1] == ([(2, {"label": ("s", "Inner")})],)


def test_clicked_event_runs_the_items_action_and_nothing_else():
    chosen = []
    m = dbusmenu.DBusMenu(chosen.append)
    m.update(menu())
    item = labelled(m.layout, "45 min")[0]
    m.call("Event", (item, "hovered", ("s", ""), 0))
    m.call("Event", (labelled(m.layout, "Posture check in 12 min")[0], "clicked", ("s", ""), 0))
    assert chosen == []
    m.call("Event", (item, "clicked", ("i", 0), 0))
    assert chosen == [Action(Verb.INTERVAL, 45)]
    assert m.call("EventGroup", ([(item, "clicked", ("i", 0), 0), (999, "clicked", ("i", 0), 0)],)) == ("ai", ([999],))
    assert chosen == [Action(Verb.INTERVAL, 45)] * 2
