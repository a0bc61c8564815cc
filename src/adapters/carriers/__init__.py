"""Carrier adapters behind `commerce_core.shipping.ports.Carrier`: `ghn`, `grab` and the `fake`
carrier the embedded bundle ships with."""
