"""The Qt user interface of HallDesk; it calls ``app.services`` and never touches SQL."""
