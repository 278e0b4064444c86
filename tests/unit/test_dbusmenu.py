"""The dbusmenu layout built from the menu model: the tree SNI hosts render, and what they are told."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def ids_by_label(layout: dbusmenu.Layout) -> dict[str, int]:
    return {p["label"][1]: i for i, p in layout.props.items() if "label" in p}


def test_an_item_keeps_its_id_when_lines_come_and_go():
    """Snooze, Skip, a pause line and more history lines appear: every other item keeps its id."""
    chosen = []
    m = dbusmenu.DBusMenu(chosen.append)
    m.update(menu())
    before = ids_by_label(m.layout)
    busy = menu_model.build_menu(view(stretch_due=True, paused=True, tooltip="Necka: paused until 14:00"), 60,
                                 {k: True for k in Kind}, autostart=False,
                                 today=("Today: 3 stretches", "Streak: 4 days"))
    signals = m.update(busy)
    assert [s[0] for s in signals][-1] == "LayoutUpdated"
    after = ids_by_label(m.layout)
    for label in ("Start stretch session", "Break interval", "45 min", "Start at login", "Quit Necka",
                  "Posture check in 12 min", "Today: 3 stretches"):
        assert after[label] == before[label], label
    new = {after[label] for label in ("Snooze stretch 10 min", "Skip next stretch", "Streak: 4 days")}
    assert not new & set(before.values())  # a new item never takes an id another item had
    m.call("Event", (before["45 min"], "clicked", ("i", 0), 0))  # a host still showing the old menu
    assert chosen == [Action(Verb.INTERVAL, 45)]


def test_a_retired_id_is_never_given_to_another_item_and_a_click_on_it_does_nothing(caplog):
    chosen = []
    m = dbusmenu.DBusMenu(chosen.append)
    m.update(menu(stretch_due=True))
    snooze = ids_by_label(m.layout)["Snooze stretch 10 min"]
    m.update(menu())
    m.update(menu(paused=True, tooltip="Necka: paused until 14:00"))  # new items after Snooze went
    assert snooze not in m.layout.props and snooze not in ids_by_label(m.layout).values()
    with caplog.at_level("WARNING", logger="necka_tray.tray.dbusmenu"):
        with pytest.raises(LookupError):
            m.call("Event", (snooze, "clicked", ("i", 0), 0))
        assert m.call("EventGroup", ([(snooze, "clicked", ("i", 0), 0)],)) == ("ai", ([snooze],))
    assert chosen == []
    assert [r.message for r in caplog.records if "stale" in r.message] == [
        f"action=dbusmenu-stale id={snooze} event=clicked id-was=retired ignored"]


def test_a_layout_change_also_sends_what_changed_on_the_items_the_host_keeps():
    """GNOME's client re-reads only type and children-display of an id it knows: the rest must be sent."""
    m = dbusmenu.DBusMenu(lambda a: None)
    m.update(menu())
    session = ids_by_label(m.layout)["Start stretch session"]
    line = ids_by_label(m.layout)["Posture check in 12 min"]
    [(name, _, (updated, removed)), layout] = m.update(menu(stretch_due=True, status_lines=("Stretch break due",)))
    assert name == "ItemsPropertiesUpdated" and layout == ("LayoutUpdated", "ui", (2, 0))
    assert (line, {"label": ("s", "Stretch break due")}) in updated and removed == []
    [(_, _, (updated, removed)), _] = m.update(menu(session_running=True))
    assert (session, {"enabled": ("b", False)}) in updated


def test_before_the_first_menu_the_layout_is_empty_at_revision_0():
    """A libdbusmenu host (Xfce's panel) can read the menu as soon as the icon registers, before Necka's
    first menu, and it skips a LayoutUpdated whose revision is not above the one it read (client.c
    layout_update): the empty menu is revision 0, so the first real one (1) is always fetched."""
    m = dbusmenu.DBusMenu(lambda a: None)
    assert m.call("GetLayout", (0, -1, [])) == ("u(ia{sv}av)", (0, (0, {"children-display": ("s", "submenu")}, [])))
    assert m.update(menu()) == [("LayoutUpdated", "ui", (1, 0))]
    assert m.call("GetLayout", (0, -1, []))[1][0] == 1


def test_radio_toggle_state_moves_by_properties_alone():
    m = dbusmenu.DBusMenu(lambda a: None)
    m.update(menu(interval=60))
    ids = ids_by_label(m.layout)
    [(name, _, (updated, removed))] = m.update(menu(interval=45))
    assert name == "ItemsPropertiesUpdated" and removed == []
    assert sorted(updated) == sorted([(ids["45 min"], {"toggle-state": ("i", 1)}),
                                      (ids["60 min"], {"toggle-state": ("i", 0)})])


def test_get_property_gives_the_specs_default_for_a_property_left_out():
    m = dbusmenu.DBusMenu(lambda a: None)
    m.update(menu())
    item = ids_by_label(m.layout)["Quit Necka"]
    assert m.call("GetProperty", (item, "visible")) == ("v", (("b", True),))
    assert m.call("GetProperty", (item, "type")) == ("v", (("s", "standard"),))
    with pytest.raises(LookupError):
        m.call("GetProperty", (item, "no-such-property"))
    with pytest.raises(LookupError):
        m.call("AboutToShow", (999,))
    assert m.call("AboutToShow", (0,)) == ("b", (False,))
    assert m.call("AboutToShowGroup", ([0, 999],)) == ("aiai", ([], [999]))


def test_a_click_on_a_disabled_item_does_nothing():
    chosen = []
    m = dbusmenu.DBusMenu(chosen.append)
    m.update(menu(session_running=True))
    m.call("Event", (ids_by_label(m.layout)["Start stretch session"], "clicked", ("i", 0), 0))
    assert chosen == []


menus = st.builds(
    lambda due, paused, lines, today, interval, routines: menu_model.build_menu(
        view(stretch_due=due, paused=paused, status_lines=tuple(f"line {i}" for i in range(lines))), interval,
        {k: True for k in Kind}, autostart=False, today=tuple(f"today {i}" for i in range(today)),
        routines=tuple(menu_model.RoutineChoice(r, r.title(), 60.0) for r in routines)),
    st.booleans(), st.booleans(), st.integers(0, 3), st.integers(0, 2), st.sampled_from((20, 45, 50, 90)),
    st.lists(st.sampled_from(("neck", "desk", "my_one")), unique=True, max_size=3))


@given(st.lists(menus, min_size=1, max_size=6))
def test_an_id_names_one_item_across_any_sequence_of_menus(sequence):
    """Whatever comes and goes, an id always carries the same action and the same kind of item."""
    m = dbusmenu.DBusMenu(lambda a: None)
    seen: dict[int, tuple] = {}
    for entries in sequence:
        m.update(entries)
        for item_id, p in m.layout.props.items():
            what = (m.layout.actions.get(item_id), p.get("type"), p.get("children-display"), p.get("toggle-type"))
            assert seen.setdefault(item_id, what) == what


def test_after_the_first_read_of_a_revision_each_submenu_is_announced_once():
    """Plasma reads one level at a time and shows a submenu empty the first time it opens, unless it
    was told that subtree changed: a LayoutUpdated(revision, submenu) per submenu, once per revision."""
    m = dbusmenu.DBusMenu(lambda a: None)
    assert m.hints("GetLayout", (0, -1, [])) == []  # before the first menu: nothing to announce
    m.update(menu())
    ids = ids_by_label(m.layout)
    assert m.hints("GetLayout", (ids["Break interval"], 1, [])) == []  # not the top level
    hints = m.hints("GetLayout", (0, 1, []))
    assert sorted(hints) == sorted(("LayoutUpdated", "ui", (1, ids[label])) for label in
                                   ("Break interval", "Reminders", "Pause"))
    assert m.hints("GetLayout", (0, -1, [])) == []  # GNOME re-reads the tree: no second round
    m.update(menu(stretch_due=True))
    assert len(m.hints("GetLayout", (0, 1, []))) == 3  # a new revision: once more
    m.reconnected()  # a new connection: the hosts read everything again
    assert len(m.hints("GetLayout", (0, 1, []))) == 3


def test_while_a_submenu_is_open_in_place_the_status_lines_are_hidden():
    """GNOME Shell opens a submenu inside the menu, in the room left under the screen's height: the
    status lines (and the separator after them) make way while one is open, and come back after."""
    m = dbusmenu.DBusMenu(lambda a: None)
    m.update(menu())
    ids = ids_by_label(m.layout)
    lines = [ids[label] for label in ("Posture check in 12 min", "Today: 3 stretches")]
    assert m.inline_event((ids["45 min"], "opened", ("i", 0), 0)) == []  # not a submenu
    [(name, _, (updated, removed))] = m.inline_event((ids["Break interval"], "opened", ("i", 0), 0))
    hidden = [i for i, p in updated if p == {"visible": ("b", False)}]
    assert name == "ItemsPropertiesUpdated" and removed == [] and set(lines) < set(hidden)
    assert len(hidden) == len(lines) + 1 and m.layout.props[hidden[-1]] == {"type": ("s", "separator"),
                                                                          "visible": ("b", False)}
    assert m.call("GetProperty", (lines[0], "visible")) == ("v", (("b", False),))
    assert m.update(menu(status_lines=("Posture check in 11 min",)))[0][2][0] == [
        (lines[0], {"label": ("s", "Posture check in 11 min")})]  # a new minute: still hidden, no flicker
    assert m.inline_event((ids["Reminders"], "opened", ("i", 0), 0)) == []  # already hidden
    assert m.inline_event((ids["Break interval"], "closed", ("i", 0), 0)) == []  # Reminders still open
    [(_, _, (updated, _))] = m.inline_event((0, "closed", ("i", 0), 0))
    assert {i for i, p in updated if p == {"visible": ("b", True)}} == set(hidden)
    assert "visible" not in m.layout.props[lines[0]]
