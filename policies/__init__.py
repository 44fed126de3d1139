"""Policy library, precise push, commitments, consultation on drafts (Art. 3 ¶2-3, Art. 10)."""
