"""Object-level rules of observers: the one place pages, API and admin ask."""
