"""Shift handover: the counter's cash session, the handover and the hall day."""
