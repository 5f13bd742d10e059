"""Domain logic. Nothing here imports telegram; each function works inside the caller's
transaction, which the caller commits once."""
