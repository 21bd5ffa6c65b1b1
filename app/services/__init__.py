"""Use cases: each opens one unit of work, checks the actor, writes the audit event."""
