"""Administration: staff, counters and PCs, the hall's details (administrators), the audit
trail (shift leaders and administrators), and everyone's own password."""
