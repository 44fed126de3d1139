"""Models of policies; the shared case engine is in portal.cases."""
