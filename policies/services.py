"""Writes of policies. Other apps may call: nothing yet."""
