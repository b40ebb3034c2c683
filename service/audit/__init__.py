"""The HTTP edge of the audit: its JSON models, the conversion from the engine's records (engine/audit), and the
terminal and file reports (render, export)."""
