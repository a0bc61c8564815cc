"""Audit: an append-only, hash-chained log of what staff, apps and security events did, written
in the transaction of the change it records, and a verifier that names the first broken link
(spec identity §7, ADR 0015)."""
