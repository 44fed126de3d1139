"""Object-level rules of evaluation: the one place pages, API and admin ask."""
