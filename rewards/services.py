"""Writes of rewards. Other apps may call: nothing yet."""
