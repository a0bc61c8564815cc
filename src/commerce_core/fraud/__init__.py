"""Fraud: the explainable risk score of an order at checkout, the manual review of the orders
it holds, and the assessments as stored evidence (spec payment §6, ADR 0012)."""
