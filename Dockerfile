# tokd: build on Debian 12, run on Debian 12 slim with only the runtime libraries.
#   podman build --format docker -t tokd:0.1.0 .     (or: docker build -t tokd:0.1.0 .)
#   podman run --rm -p 127.0.0.1:8080:8080 tokd:0.1.0
# Training needs a writable /var/lib/tokd (a volume) and TOKD_ADMIN_TOKEN.
# tests/deploy/test_container.sh builds and runs this file for real.

FROM debian:12 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc meson ninja-build pkg-config python3 \
      libpcre2-dev libjansson-dev libmicrohttpd-dev libuv1-dev libprotobuf-c-dev protobuf-c-compiler \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Whole directories, so a new source file is never left behind; .dockerignore
# keeps build directories, node_modules and .git out of the context.
COPY meson.build meson_options.txt ./
COPY include include/
COPY src src/
COPY data data/
COPY config config/
COPY bench bench/
RUN meson setup /build -Dtests=false -Dbuildtype=release --prefix=/opt/tokd \
 && ninja -C /build \
 && meson install -C /build

FROM debian:12-slim
# The shared libraries ldd lists for tokd, by package (checked by tests/deploy/test_deploy.sh).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcre2-8-0 libjansson4 libmicrohttpd12 libuv1 libprotobuf-c1 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && groupadd --system --gid 10001 tokd \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/tokd --shell /usr/sbin/nologin tokd \
 && mkdir -p /var/lib/tokd/tokenizers /var/lib/tokd/corpora \
 && chown -R tokd:tokd /var/lib/tokd
COPY --from=build /opt/tokd /opt/tokd
COPY config/tokd.json /etc/tokd/tokd.json
ENV PATH=/opt/tokd/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    TOKD_LISTEN=0.0.0.0 \
    TOKD_PORT=8080 \
    TOKD_TOKENIZER_DIR=/var/lib/tokd/tokenizers \
    TOKD_CORPUS_DIR=/var/lib/tokd/corpora
USER 10001:10001
VOLUME /var/lib/tokd
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=4s --start-period=10s --retries=3 CMD ["/opt/tokd/bin/tokd", "healthcheck"]
ENTRYPOINT ["/opt/tokd/bin/tokd"]
CMD ["serve", "--config", "/etc/tokd/tokd.json"]
