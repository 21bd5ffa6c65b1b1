"""Sync with the centre: the hall side (outbox, push, pull) and the shared protocol."""
