"""Reads of complaints, already limited to what the user may see."""
