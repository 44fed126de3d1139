"""Complaints and reports about conduct that harms the business environment (Art. 7 ¶1)."""
