"""The case engine (appeals, complaints, assignments, opinions)."""
