"""The PySide6 desktop application, one client of the `app` services. Nothing imports `ui`."""
