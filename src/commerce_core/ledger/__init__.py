"""The value ledger: double-entry, append-only accounts of stored value (loyalty points, gift
cards, store credit) in integer units, with lots that expire first-to-expire-first-spent and
holds a checkout places, captures or releases (docs/ledger.md)."""
