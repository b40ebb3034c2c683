"""The HTTP edge of compare: its JSON models, and the conversion from the engine's records (engine/compare)."""
