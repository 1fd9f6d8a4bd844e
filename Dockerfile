# The Relational app image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.12-slim

# PYTHONPATH: run the code from /app, where templates, static files and migrations sit beside it,
# rather than the copy `pip install .` puts in site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RELATIONAL_VAR_DIR=/app/var \
    PYTHONPATH=/app

WORKDIR /app

RUN groupadd --system relational \
 && useradd --system --gid relational --home-dir /app --shell /usr/sbin/nologin relational

# Dependencies first, from pyproject.toml pinned by constraints.txt, so a code change reuses
# this layer.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -c constraints.txt -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .
RUN pip install -c constraints.txt .

# Static files are collected into the image. Settings insist on these three variables, and
# collectstatic touches neither the database nor Redis, so build-only placeholders do.
RUN DEBUG=false \
    SECRET_KEY=build-time-placeholder-never-used-to-sign-anything \
    DATABASE_URL=postgres://build@127.0.0.1:1/build \
    REDIS_URL=redis://127.0.0.1:1/0 \
    python manage.py collectstatic --no-input --verbosity 0 \
 && mkdir -p /app/var/mail \
 && chown -R relational:relational /app/var

USER relational

EXPOSE 8000
CMD ["gunicorn", "relational.wsgi", "--bind=0.0.0.0:8000", "--workers=2", "--worker-class=sync", "--no-control-socket", "--access-logfile=-"]
