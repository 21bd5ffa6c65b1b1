"""Complaint intake, the worklist by time left, follow-up and fault notices."""
