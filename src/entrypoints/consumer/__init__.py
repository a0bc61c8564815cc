"""The consumer side of the service: the worker that relays the outbox and runs scheduled jobs."""
