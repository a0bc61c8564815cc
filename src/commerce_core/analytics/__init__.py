"""Analytics: a passive reader of the shop's events that keeps minimised facts, hourly and daily
rollups, and the reports staff read (revenue, orders, funnel, fulfilment, shipping, returns,
cohorts, RFM). It publishes nothing."""
