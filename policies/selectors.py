"""Reads of policies, already limited to what the user may see."""
