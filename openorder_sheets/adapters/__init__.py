"""Adapters at the edge: spreadsheets, mail transports, templates, local state."""
