"""Writes of observers. Other apps may call: nothing yet."""
