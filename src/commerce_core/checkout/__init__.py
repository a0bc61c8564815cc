"""Checkout: the saga that turns a cart into a confirmed order, with compensation per step."""
