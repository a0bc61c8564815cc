"""Entry points: settings, the dependency-injection container, HTTP, CLI and the worker."""
