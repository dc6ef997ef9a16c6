# One image for the web server (the default command), the Celery worker and Celery beat.
# docker-compose.yml runs all three from it, plus a one-off migrate service.
FROM python:3.13-slim

# PYTHONPATH=/app: the code under /app is what runs. The `pip install .` below puts only the
# packages listed in pyproject.toml into site-packages (no migrations, management commands,
# templates or data), so that copy must never shadow the source tree.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, read from pyproject.toml alone, so a code change reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info

# Production settings refuse to load without a secret key; this one exists only for this step.
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_SECRET_KEY=collectstatic-build-only-not-a-secret \
    python manage.py collectstatic --noinput

# The code stays owned by root (read-only to the app); the user's home holds gunicorn's
# control socket.
# /var/lib/salvo/data holds the download files (DATA_EXPORT_DIR), written by the worker.
RUN groupadd --system --gid 10001 salvo \
    && useradd --system --uid 10001 --gid salvo --create-home --home-dir /home/salvo salvo \
    && install -d -o salvo -g salvo /var/lib/salvo/data
USER salvo

ENV DJANGO_SETTINGS_MODULE=config.settings.production

EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
