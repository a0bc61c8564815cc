"""Outbound webhooks: subscriptions of third-party apps to the shop's events, deliveries
signed per Standard Webhooks, retried with backoff, logged, replayable (docs/webhooks.md)."""
