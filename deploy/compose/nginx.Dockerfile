# nginx for compose.yaml: Debian 12's own nginx (1.22), built on the same
# base as tokd, so the stack needs no registry. compose.yaml mounts
# nginx.conf over /etc/nginx/nginx.conf.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 8080
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
