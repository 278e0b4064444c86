"""The desktop around Necka: idle time, do-not-disturb, notifications, start at login.

One small module per concern, with one interface per platform difference;
each is read only when the tray asks, never polled.
"""
