# Sourced by proxy.sh and proxy_profile.sh: the plain-proxy setup they share. A fixed-answer
# upstream (nginx `return 200`) and the one Mapping our gateway proxies it with.
body='{"id":42,"ref":"INV-42","amount":4200,"balance":4190,"ccy":"GBP","expectedDate":"2026-01-01T00:00:00+00:00"}'

nginx_conf() { # dir workers server-block: an nginx.conf of its own in dir
  mkdir -p "$1"
  cat >"$1/nginx.conf" <<NGINX
worker_processes $2;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  client_body_temp_path $1/body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
  keepalive_requests 1000000;
$3
}
NGINX
}

# fixed_upstream DIR HOST PORT: an nginx answering every request with $body.
fixed_upstream() {
  nginx_conf "$1" 1 "  server {
    listen $2:$3;
    location / { default_type application/json; return 200 '$body'; }
  }"
}

# plain_proxy_routes FILE: /invoices/ to the upstream called fixed-upstream, as /api/invoices/.
plain_proxy_routes() {
  cat >"$1" <<YAML
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: invoices}
spec: {hostname: "*", prefix: /invoices/, rewrite: /api/invoices/, service: fixed-upstream,
       timeout_ms: 3000}
YAML
}
