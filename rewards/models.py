"""Models of rewards; the shared case engine is in portal.cases."""
