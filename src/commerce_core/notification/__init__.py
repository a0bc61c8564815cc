"""Notification: the messages the shop sends its customers by email, SMS and push, their
delivery (a worker sends, retries transient failures, logs every attempt, follows provider
callbacks), the customers' preferences, and the triggers from order, payment and fulfillment
events (spec identity-customer-notification §5, ADR 0019)."""
