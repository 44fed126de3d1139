"""Models of observers; the shared case engine is in portal.cases."""
