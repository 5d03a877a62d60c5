"""Domain logic. Services take a session, add and flush, and never commit."""
