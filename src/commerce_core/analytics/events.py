"""Analytics publishes no events: it is a passive reader of everyone else's (spec B1)."""
