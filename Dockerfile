FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

# WeasyPrint's libraries (Pango, HarfBuzz subsetting), libmagic for content sniffing, fonts;
# PostgreSQL's client programs for `manage.py backup` and `restore` (pg_dump, pg_restore).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libmagic1 fonts-dejavu-core \
       postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install '.[s3]'
COPY . .
RUN DEBUG=true python manage.py collectstatic --no-input -v0 \
    && useradd --system --home /app hdsready \
    && mkdir -p /app/var/media && chown -R hdsready /app/var

USER hdsready
EXPOSE 8000
CMD ["gunicorn", "hdsready.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
