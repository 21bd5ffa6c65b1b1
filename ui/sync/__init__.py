"""Sync at the hall PC: the action, the status bar and its dialogs."""
