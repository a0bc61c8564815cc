# One image for the API and the worker; the command picks the role.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src ./src
RUN uv sync --frozen --no-dev
RUN useradd --create-home --uid 10001 shop && chown -R shop /app
USER shop
ENV PATH="/app/.venv/bin:$PATH" COMMERCE_HOST=0.0.0.0
EXPOSE 8000
CMD ["commerce", "serve"]
