"""Business-environment observers, assignments (交办) and the multilingual talent pool (Art. 5, Art. 7 ¶2)."""
