"""Reads of rewards, already limited to what the user may see."""
