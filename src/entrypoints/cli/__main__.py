"""`python -m entrypoints.cli`, the same as the `commerce` script."""

from entrypoints.cli.main import main

main()
