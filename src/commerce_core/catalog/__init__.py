"""Catalog: products, their variants (one SKU each), categories and attributes."""
