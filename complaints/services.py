"""Writes of complaints. Other apps may call: nothing yet."""
