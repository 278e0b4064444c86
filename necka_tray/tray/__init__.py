"""The tray icons: one module per backend (StatusNotifierItem + dbusmenu, XEmbed, pystray) and their menu model.

Never imports ``necka_tray.windows``, tkinter or Pillow (except ``pystray_icon.py``,
whose library needs a PIL image): menus and icon drawing of the xembed tray
run in helper processes (``necka_tray/children/``). The state owner draws
through ``backend.py``; nothing here imports ``owner``, ``schedule`` or ``channel``.
"""
