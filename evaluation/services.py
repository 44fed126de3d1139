"""Writes of evaluation. Other apps may call: nothing yet."""
