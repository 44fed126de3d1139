"""Reads of observers, already limited to what the user may see."""
