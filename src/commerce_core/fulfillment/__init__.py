"""Fulfillment: what each warehouse ships of a paid order, picked in batches along the bins,
packed into checked packages, and handed to a carrier (spec part B)."""
