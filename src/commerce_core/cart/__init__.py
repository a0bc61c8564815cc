"""Cart: the shopper's quote of lines, re-priced from the catalog whenever it is shown."""
