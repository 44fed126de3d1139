"""Rewards for verified reports and awards for pioneering reforms (Art. 7 ¶1, Art. 9 ¶2)."""
