"""Object-level rules of policies: the one place pages, API and admin ask."""
