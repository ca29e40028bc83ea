"""The service layer: one sync, plus init, doctor, status, preview and demo."""
