# syntax=docker/dockerfile:1
# harvester: the vote-counting daemon with its dashboard, /healthz and /metrics on port 8080.
#   docker build -t harvester .
#   docker run -d --name harvester -p 8080:8080 -v harvester-data:/data harvester
# The install steps are container/install.sh; .ci/container-check runs them outside Docker.

# -- build: the wheel only (no dependencies; they are installed from the index in the final stage),
# its hot modules compiled with mypyc (setup.py): the full image has the C compiler that needs
FROM python:3.11-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore HARVESTER_COMPILE=1
WORKDIR /src
COPY pyproject.toml setup.py README.md LICENSE NOTICE ./
COPY harvester/ harvester/
RUN python -m pip wheel --no-cache-dir --no-deps -w dist .

# -- final: the wheel and its dependencies, no build tools, a non-root user
FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="harvester" \
      org.opencontainers.image.description="Counts Apache-style votes and drafts the [RESULT] e-mail" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
# The build context (filtered by .dockerignore) and the wheel are mounted for this step only,
# so neither ends up in a layer.
RUN --mount=type=bind,target=/tmp/src \
    --mount=type=bind,from=build,source=/src/dist,target=/tmp/dist \
    sh /tmp/src/container/install.sh
# The environment wins over the config file: change these with `docker run -e …`.
ENV HARVESTER_CONFIG=/etc/harvester/harvester.toml \
    HARVESTER_DATABASE__URL=sqlite:////data/harvester.db \
    HARVESTER_WEB__HOST=0.0.0.0 \
    HARVESTER_WEB__PORT=8080
VOLUME /data
WORKDIR /data
EXPOSE 8080
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["harvester-healthcheck"]
# harvester-start runs `harvest db upgrade`, then execs `harvest daemon` (PID 1, gets SIGTERM).
# Give the daemon time to finish a step: docker stop --time 70.
STOPSIGNAL SIGTERM
CMD ["harvester-start"]
