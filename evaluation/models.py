"""Models of evaluation; the shared case engine is in portal.cases."""
