"""Models of complaints; the shared case engine is in portal.cases."""
