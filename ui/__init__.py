"""The Qt user interface of HallDesk; it calls ``app.services`` and never touches SQL."""

from ui._pyside_guard import keep_singletons_alive

keep_singletons_alive()
