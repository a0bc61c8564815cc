"""Ordering: the order aggregate, its state machine and history."""
