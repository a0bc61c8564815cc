"""The `commerce` command line: run the service and the worker, operate the shop, try it out."""
