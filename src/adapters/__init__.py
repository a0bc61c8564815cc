"""Adapters: implementations of the core's ports over real technology, and faithful fakes."""
