"""Object-level rules of rewards: the one place pages, API and admin ask."""
