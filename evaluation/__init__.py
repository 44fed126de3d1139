"""Indicators, monitoring, assessments, supervision items, cases and annual reports (Art. 2, 6, 8, 9)."""
