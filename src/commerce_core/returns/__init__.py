"""Returns and exchanges: eligibility from delivery, approval by risk, the return label through
shipping, receipt and inspection per line, one refund through payments keyed by the return,
restock into the warehouse the goods left from, and replacement orders for exchanges."""
