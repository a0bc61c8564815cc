"""Search: product documents (a read model of catalog, pricing and inventory), queries with
facets, autocomplete, and search analytics.

Where things live. The index is a port of its own, `Ports.search_index` (optional: without one
search is off and nothing is projected), rather than a repository of the unit of work: the
engine behind it may be Elasticsearch, which no database transaction can include, and the SQL
and memory indexes must honour the same contract. The SQL index still writes in the caller's
transaction when given it (`within=`), so its documents commit with the projector's inbox row.
The search log (analytics) is a repository of the unit of work (`uow.search_log`): it lives in
the shop's own database and is written with the events that announce each search.

The projector (`projector.py`) rebuilds a product's document from the catalog's, pricing's
and inventory's faces on every event about it, ignoring events older than the watermark the
document keeps per source; `RebuildIndex` rebuilds everything into a new index and swaps it in.
"""
