"""The arrears tab: the worklist, the ladder's actions, payment collection and receipts."""
