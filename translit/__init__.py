"""Reading what was written: cells to register fields, hanja to Korean. Pure computation."""
