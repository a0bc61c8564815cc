"""Payment: payments of orders and the `PaymentGateway` port every provider implements."""
