"""Reads of evaluation, already limited to what the user may see."""
