"""Gift cards and store credit: cards issued with a code shown once (kept only as a peppered
digest and its last four characters), bound to a customer or not, disabled; each customer's
store credit account; their value lives in the ledger (docs/gift-cards.md)."""
