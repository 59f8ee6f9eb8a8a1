# One image for web, worker and beat; docker-compose.yml picks the role by command.
# /data is 0700: keys, blobs and the SQLite file are for the gateway user only. Secrets are
# not baked in and not on /data: compose mounts them at /run/secrets (docker-compose.yml).
FROM python:3.11-slim-bookworm
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY edi_maps ./edi_maps
COPY workers ./workers
COPY reference_ims ./reference_ims
RUN pip install --no-cache-dir . && useradd --create-home gateway \
    && mkdir -m 0700 /data && chown gateway /data
USER gateway
ENV EDI_GATEWAY_DATA_DIR=/data EDI_GATEWAY_HOST=0.0.0.0 EDI_GATEWAY_LOG_FORMAT=json
EXPOSE 8080
CMD ["edi-gateway", "serve"]
