# jiuzhu: the workers, the task list and the embedded engine (`jiuzhu up`) in one image.
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm -t jiuzhu:0.1.0 .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 jiuzhu \
    && useradd --system --uid 10001 --gid jiuzhu --home-dir /app --shell /usr/sbin/nologin jiuzhu

WORKDIR /app
# .dockerignore lets in only pyproject.toml, README.md, jiuzhu/, schemas/, workflows/ and templates/.
COPY . .
# The package (non-editable) plus the PostgreSQL driver the compose setup uses.
RUN pip install . "psycopg[binary]>=3.2" && rm -rf build

RUN mkdir -p /data && chown jiuzhu:jiuzhu /data
USER jiuzhu
VOLUME ["/data"]
EXPOSE 8080 26500 9464

# The compose file chooses the command per service (workers, tasklist, up); this is the default.
# --host 0.0.0.0 is needed inside a container (publish the ports on 127.0.0.1 or a private network);
# gRPC and /v2 still require the OAuth clients generated into /data/credentials.json at first start.
CMD ["jiuzhu", "up", "--host", "0.0.0.0", "--data-dir", "/data", "--workflows", "/app/workflows"]
