"""Shipping: rate quotes across carriers, the shipping methods a shopper chooses at checkout,
shipments booked with a carrier from packed fulfillments, labels, tracking by webhook and by
polling, delivery, failed delivery and return to sender.

Carriers sit behind the `Carrier` port (`ports.py`): `adapters/carriers/{ghn,grab,fake}`.
"""
