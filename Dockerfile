# The image for the API and the worker. Build: docker build -t wijkwinkel .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/wijkwinkel

# Dependencies first, so code changes do not reinstall them (the stub package is dropped again).
COPY pyproject.toml README.md ./
COPY app/__init__.py app/__init__.py
RUN pip install . && pip uninstall -y wijkwinkel

COPY app app
COPY migrations migrations
COPY alembic.ini ./
# Editable, so the code finds migrations/ beside it.
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --home-dir /srv/wijkwinkel wijkwinkel \
    && mkdir -p var && chown wijkwinkel var
USER wijkwinkel

ENV WIJKWINKEL_HOST=0.0.0.0 \
    WIJKWINKEL_PORT=8000
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/v1/health' % os.environ.get('WIJKWINKEL_PORT', '8000'), timeout=2)" || exit 1

# Serve. Migrations run separately (`wijkwinkel migrate`, the compose `migrate` service); when
# several processes migrate at once they take turns (a PostgreSQL advisory lock).
CMD ["wijkwinkel", "serve"]
