"""Inventory: warehouses, stock per SKU per warehouse with its ledger, batches and bins,
reservations with an expiry, allocation across warehouses, adjustments and transfers."""
