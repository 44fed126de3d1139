"""Object-level rules of complaints: the one place pages, API and admin ask."""
