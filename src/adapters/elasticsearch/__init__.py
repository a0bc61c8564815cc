"""The search index on Elasticsearch 8 (the official client).

    from adapters import elasticsearch
    ports = attrs.evolve(ports, search_index=elasticsearch.index("http://127.0.0.1:9200"))

Importing this package opens nothing: `index` builds a client, which connects on first use.
"""

from __future__ import annotations

from elasticsearch import Elasticsearch

from adapters.elasticsearch.index import ALIAS, ElasticsearchSearchIndex, mapping


def index(url: str, *, alias: str = ALIAS, refresh: bool = False) -> ElasticsearchSearchIndex:
    """The index behind `alias` on the cluster at `url`."""
    return ElasticsearchSearchIndex(Elasticsearch(url), alias=alias, refresh=refresh)


__all__ = ["ALIAS", "ElasticsearchSearchIndex", "index", "mapping"]
