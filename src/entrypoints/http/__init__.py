"""The HTTP entry point: a FastAPI app over the `Commerce` facade (`create_app`)."""

from entrypoints.http.app import create_app

__all__ = ["create_app"]
