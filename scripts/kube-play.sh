#!/usr/bin/env bash
# Plays a kustomize overlay with podman, as the manifests wire it, and checks it through the edge.
#
#   scripts/kube-play.sh OVERLAY      tim-gateway (through our gateway) or base (the services alone)
#
# Steps (a failure names its step and exits 1; teardown runs whatever happened):
#   render     kubectl kustomize on a copy of kube/ with play secrets (the tutorial's token, a
#              random PostgreSQL password)
#   translate  only what podman 4.3 cannot take (tools/deploy-check/kube-play.js rules lists
#              each rule and the limit behind it)
#   play       a podman network of its own, `podman secret create`, `podman kube play`
#   ready      the tutorial's invoice 42 answered through the gateway (base: every /readyz)
#   inspect    user, read-only root, capabilities, no-new-privileges, memory limit per manifest
#   requests   401 without the token, 200 with it, a create, a payment, on 127.0.0.1
#   restart    the invoices pod restarted; the new invoice is still there (PostgreSQL)
#   teardown   no pod, secret, volume or network of this run left behind
#
# Needs the images: scripts/build-images.sh and scripts/build-images.sh postgres.
# Env: TIM_REPO=DIR plays another checkout's kube/ (the tests use it on broken copies);
#      TIM_PLAY_READY_S=90 how long the pods may take to pass their readiness probes;
#      TIM_PLAY_ROUTE_S=15 how long, once they have, a request may take to get through.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
root=${TIM_REPO:-$here}
tools=$here/tools/deploy-check
READY_S=${TIM_PLAY_READY_S:-90}
ROUTE_S=${TIM_PLAY_ROUTE_S:-15}
TOKEN=letmeinpleasekthxbye

case "${1:-}" in
  base | kube/base) target=base ;;
  tim-gateway | overlays/tim-gateway | kube/overlays/tim-gateway) target=overlays/tim-gateway ;;
  *) echo "usage: $0 tim-gateway|base" >&2; exit 2 ;;
esac

step=setup
prefix=tim-play-$$
helper=$prefix-probe
PROBE_IMAGE=${BASE_IMAGE:-localhost/tim/debian:12-minbase}
work=$(mktemp -d /var/tmp/tim-kube-play.XXXXXX)
played=0
t_start=$SECONDS

reported=0
fail() {
  echo "kube-play: FAIL at step $step: $*" >&2
  reported=1
  exit 1
}

conf=$work/containers.conf
# This machine: hybrid cgroups (crun refuses them) and no CAP_SYS_RESOURCE; see docs/deploy.md.
cat >"$conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF=${CONTAINERS_CONF:-$conf}

teardown() {
  local rc=$? left=()
  trap - EXIT
  set +e
  [ $rc -eq 0 ] || [ $reported -eq 1 ] || echo "kube-play: FAIL at step $step (exit $rc)" >&2
  if [ $rc -ne 0 ] && [ $played -eq 1 ]; then
    for p in $(jq -r '.pods[].name' "$work/plan.json" 2>/dev/null); do
      for c in $(jq -r --arg p "$p" '.pods[] | select(.name == $p) | .containers[].container' "$work/plan.json"); do
        podman container exists "$c" || continue
        echo "--- last log lines of $c:" >&2
        podman logs --tail 8 "$c" 2>&1 | sed 's/^/    /' >&2
      done
    done
  fi
  step=teardown
  if [ $played -eq 1 ]; then
    podman kube down "$work/play.yaml" >/dev/null 2>&1
    for p in $(jq -r '.pods[].name' "$work/plan.json"); do
      podman pod exists "$p" && podman pod rm -f "$p" >/dev/null 2>&1
      podman pod exists "$p" && left+=("pod $p")
    done
  fi
  podman container exists "$helper" && podman rm -f -t 0 "$helper" >/dev/null
  podman container exists "$helper" && left+=("container $helper")
  for s in $(podman secret ls --format '{{.Name}}' | grep "^$prefix-"); do podman secret rm "$s" >/dev/null; done
  for v in $(podman volume ls --format '{{.Name}}' | grep "^$prefix-"); do podman volume rm -f "$v" >/dev/null; done
  podman network exists "$prefix" && podman network rm -f "$prefix" >/dev/null
  for s in $(podman secret ls --format '{{.Name}}' | grep "^$prefix-"); do left+=("secret $s"); done
  for v in $(podman volume ls --format '{{.Name}}' | grep "^$prefix-"); do left+=("volume $v"); done
  podman network exists "$prefix" && left+=("network $prefix")
  rm -rf "$work"
  if [ ${#left[@]} -gt 0 ]; then
    echo "kube-play: FAIL at step teardown: left behind: ${left[*]}" >&2
    exit 1
  fi
  [ $rc -ne 0 ] || echo "kube-play: $target passed in $((SECONDS - t_start)) s, nothing left behind"
  exit $rc
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- render --------------------------------------------------------------------------------------
step=render
[ -d "$tools/node_modules" ] || fail "tools/deploy-check/node_modules missing: run (cd tools/deploy-check && npm ci)"
for tool in podman jq curl; do command -v $tool >/dev/null || fail "$tool missing (scripts/setup-deps.sh images)"; done
KUBECTL=${KUBECTL:-$(node "$tools/kubectl.js")}
cp -r "$root/kube" "$work/kube"
# The play's own secrets, whatever files the checkout has: the checks must know the token.
printf %s "$TOKEN" >"$work/kube/base/auth-svc/secrets/token"
od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$work/kube/base/postgres/secrets/password"
"$KUBECTL" kustomize "$work/kube/$target" >"$work/rendered.yaml" 2>"$work/render.err" ||
  fail "kubectl kustomize kube/$target: $(cat "$work/render.err")"
echo "rendered kube/$target: $(grep -c '^kind:' "$work/rendered.yaml") objects"

# --- translate -----------------------------------------------------------------------------------
step=translate
echo "translated for podman 4.3 (rules: node tools/deploy-check/kube-play.js rules):"
node "$tools/kube-play.js" translate --rendered "$work/rendered.yaml" --out "$work" --prefix "$prefix" ||
  fail "translation"
for image in $(jq -r '[.pods[].containers[].image] | unique | .[]' "$work/plan.json") "$PROBE_IMAGE"; do
  podman image exists "$image" ||
    fail "image $image is missing: scripts/build-images.sh (and scripts/build-images.sh postgres)"
done

# --- play ----------------------------------------------------------------------------------------
step=play
for p in $(jq -r '.pods[].name' "$work/plan.json"); do
  ! podman pod exists "$p" || fail "a pod named $p already exists (another kube-play.sh running? not this run's, so left alone)"
done
podman network create "$prefix" >/dev/null
for s in $(jq -r '.secrets[]' "$work/plan.json"); do
  podman secret create "$s" "$work/secrets/$s.json" >/dev/null
done
played=1
t0=$SECONDS
podman kube play --network "$prefix" "$work/play.yaml" >"$work/play.log" 2>&1 ||
  fail "podman kube play: $(grep -i error "$work/play.log" | head -3)"
echo "played $(jq -r '[.pods[].name] | join(", ")' "$work/plan.json") on network $prefix in $((SECONDS - t0)) s"
jq -r '.published[] | "  \(.service):\(.port) -> pod \(.pod):\(.containerPort) published at \(.address)"' "$work/plan.json"

url_of() { jq -r --arg s "$1" '[.published[] | select(.service == $s) | "http://" + .address][0] // empty' "$work/plan.json"; }
passed=0
check() { # what, condition-result (yes/no), detail on failure
  if [ "$2" = yes ]; then
    passed=$((passed + 1))
    echo "ok   $1"
  else
    fail "$1: $3"
  fi
}
# curl that prints "<status> <body>" (status 000 when nothing answered); never fails itself.
call() {
  local out
  out=$(curl -sS --max-time 10 -w '\n%{http_code}' "$@" 2>&1) || true
  echo "${out##*$'\n'} ${out%$'\n'*}"
}
status_of() { echo "${1%% *}"; }
body_of() { echo "${1#* }"; }

gw=$(url_of gateway)
if [ -n "$gw" ]; then
  # Through the gateway: the tutorial's paths and the token in the authorization header.
  api=$gw/invoices
  auth=(-H "authorization: $TOKEN")
else
  [ "$target" = base ] || fail "no gateway Service was published"
  api=$(url_of invoices-svc)/api/invoices
  auth=()
fi

# --- ready ---------------------------------------------------------------------------------------
step=ready
t0=$SECONDS
wait_for() { # description, url, extra curl args...: until 200, at most ROUTE_S seconds
  local what=$1 u=$2 r t=$SECONDS
  shift 2
  while :; do
    r=$(call "$@" "$u")
    [ "$(status_of "$r")" = 200 ] && return 0
    [ $((SECONDS - t)) -lt "$ROUTE_S" ] || fail "$what: no 200 within ${ROUTE_S} s of every pod being ready; last answer: $r"
    sleep 1
  done
}
# Each container's readiness probe, run as the kubelet would (rule 6): traffic goes through the
# gateway only once every pod is ready, as Service endpoints would have it. httpGet and
# tcpSocket probes run from a helper container on the pods' network, exec probes in the container.
podman run -d --name "$helper" --network "$prefix" --read-only --cap-drop ALL --user 65534:65534 \
  --security-opt no-new-privileges "$PROBE_IMAGE" sleep infinity >/dev/null || fail "cannot start the probe helper"
probe() { # container, readiness (JSON): exit 0 when the probe passes
  local kind args
  kind=$(jq -r 'keys[0]' <<<"$2")
  mapfile -t args < <(jq -r '(.http // .tcp | select(.) | .host, .port, .path // empty), (.exec // [] | .[])' <<<"$2")
  case $kind in
    http)
      # shellcheck disable=SC2016 # expanded by the helper's bash
      podman exec "$helper" timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" &&
        printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$2" "$0" >&3 && read -r line <&3 &&
        [[ $line =~ ^HTTP/1\.[01]\ [23][0-9][0-9] ]]' "${args[@]}" ;;
    tcp)
      # shellcheck disable=SC2016
      podman exec "$helper" timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "${args[@]}" ;;
    exec) timeout 5 podman exec "$1" "${args[@]}" ;;
  esac
}
wait_ready() { # [pod]: every container's readiness probe (of that pod only) passes, or fail
  local p c still pending
  mapfile -t pending < <(jq -c --arg pod "${1:-}" '.pods[] | select($pod == "" or .name == $pod) | .containers[] | select(.readiness) | {container, readiness}' "$work/plan.json")
  while [ ${#pending[@]} -gt 0 ]; do
    still=()
    for p in "${pending[@]}"; do
      c=$(jq -r .container <<<"$p")
      if probe "$c" "$(jq -c .readiness <<<"$p")" >/dev/null 2>&1; then
        echo "  $c ready after $((SECONDS - t0)) s ($(jq -r '.readiness | if .http then "GET \(.http.path) on \(.http.host):\(.http.port)" elif .tcp then "TCP \(.tcp.host):\(.tcp.port)" else (.exec | join(" ")) end' <<<"$p"))"
      else
        still+=("$p")
      fi
    done
    pending=("${still[@]}")
    [ ${#pending[@]} -eq 0 ] && break
    [ $((SECONDS - t0)) -lt "$READY_S" ] ||
      fail "not ready after ${READY_S} s: $(for p in "${pending[@]}"; do jq -r .container <<<"$p"; done | paste -sd' ')"
    sleep 1
  done
}
wait_ready
wait_for "invoice 42 through $( [ -n "$gw" ] && echo the gateway || echo invoices-svc)" "$api/42" "${auth[@]}"
# A few seconds for invoices-svc's first call to expected-date-svc; then it is a failure.
t1=$SECONDS
until r=$(call "${auth[@]}" "$api/42") && [[ $r == *'"expectedDate":"'* ]]; do
  [ $((SECONDS - t1)) -lt 5 ] || fail "invoice 42 comes without expectedDate (invoices-svc cannot reach expected-date-svc): $r"
  sleep 1
done
echo "ready in $((SECONDS - t0)) s"

# --- inspect -------------------------------------------------------------------------------------
step=inspect
node "$tools/kube-play.js" inspect "$work/plan.json" || fail "a container runs otherwise than its manifest says"

# --- requests ------------------------------------------------------------------------------------
step=requests
if [ -n "$gw" ]; then
  r=$(call "$api/42")
  check "no token: 401 {\"ok\":false}" "$([ "$r" = '401 {"ok":false}' ] && echo yes || echo no)" "got $r"
  r=$(call -H 'authorization: not-the-token' "$api/42")
  check "wrong token: 401" "$([ "$(status_of "$r")" = 401 ] && echo yes || echo no)" "got $r"
  r=$(call "${auth[@]}" "$gw/api/expected-date/1")
  check "no route to expected-date-svc: 404" "$([ "$(status_of "$r")" = 404 ] && echo yes || echo no)" "got $r"
  # The web app's files need no token (Mapping "app", bypass_auth), and come with the app's CSP.
  r=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %header{content-security-policy}' "$gw/app/" 2>&1 || true)
  check "the app without a token: 200 with its CSP" "$([[ $r == "200 default-src 'self'; script-src 'self';"* ]] && echo yes || echo no)" "got $r"
else
  a=$(url_of auth-svc)
  r=$(call "$a/invoices/42")
  check "auth-svc without the token: 401" "$([ "$(status_of "$r")" = 401 ] && echo yes || echo no)" "got $r"
  r=$(call -H "authorization: $TOKEN" "$a/invoices/42")
  check "auth-svc with the token from its Secret: 200" "$([ "$(status_of "$r")" = 200 ] && echo yes || echo no)" "got $r"
fi
r=$(call "${auth[@]}" "$api/42")
check "token: 200 and the tutorial's invoice 42 with an expectedDate" \
  "$([[ $r == '200 {"id":42,"ref":"INV-42","amount":4200,"balance":4190,"ccy":"GBP","expectedDate":"'* ]] && echo yes || echo no)" "got $r"
ref=PLAY-$$-$RANDOM
r=$(call "${auth[@]}" -H 'content-type: application/json' -X POST "$api/" \
  -d "{\"customerId\":\"C-PLAY\",\"customerName\":\"$ref\",\"ccy\":\"GBP\",\"amount\":12000,\"issueDate\":\"2026-11-01\",\"dueDate\":\"2026-12-01\"}")
id=$(body_of "$r" | jq -r '.id // empty' 2>/dev/null || true)
check "create: 201 with a new id" "$([ "$(status_of "$r")" = 201 ] && [ -n "$id" ] && echo yes || echo no)" "got $r"
r=$(call "${auth[@]}" -H 'content-type: application/json' -X POST "$api/$id/payments" -d '{"amount":5000,"date":"2026-11-20"}')
check "payment of 5000: 200, balance 7000" \
  "$([ "$(status_of "$r")" = 200 ] && [ "$(body_of "$r" | jq -r .balance)" = 7000 ] && echo yes || echo no)" "got $r"
r=$(call "${auth[@]}" -H 'content-type: application/json' -X POST "$api/$id/payments" -d '{"amount":8000,"date":"2026-11-21"}')
check "payment above the balance: 409 payment_exceeds_balance" \
  "$([ "$(status_of "$r")" = 409 ] && [[ $r == *payment_exceeds_balance* ]] && echo yes || echo no)" "got $r"

# --- restart -------------------------------------------------------------------------------------
step=restart
# The row is in PostgreSQL (not a file inside the invoices pod), and outlives the pod's restart.
rows=$(podman exec postgres-postgres psql -U tim -d tim -tAc "SELECT balance FROM invoices WHERE id = $id" 2>&1 || true)
check "invoice $id is a row in PostgreSQL with balance 7000" "$([ "$rows" = 7000 ] && echo yes || echo no)" "psql said: $rows"
t0=$SECONDS
grace=$(jq -r '.pods[] | select(.name == "invoices-svc") | .gracePeriod' "$work/plan.json")
# The kubelet's order: the pod's containers get SIGTERM and their grace period, the sandbox goes
# last. (With `podman pod stop` alone, podman 4.3 here, invoices-svc logs "shutdown complete"
# but its process lingers until SIGKILL at the end of the grace period.)
podman stop -t "$grace" invoices-svc-server >/dev/null || fail "podman stop invoices-svc-server"
stopped_in=$((SECONDS - t0))
exit_code=$(podman inspect -f '{{.State.ExitCode}}' invoices-svc-server)
check "invoices-svc exits 0 on SIGTERM within the grace period of ${grace} s (exit $exit_code after ${stopped_in} s)" \
  "$([ "$exit_code" = 0 ] && [ "$stopped_in" -lt "$grace" ] && echo yes || echo no)" "$(podman logs --tail 3 invoices-svc-server 2>&1)"
podman pod stop invoices-svc >/dev/null || fail "podman pod stop invoices-svc"
podman pod start invoices-svc >/dev/null || fail "podman pod start invoices-svc"
wait_ready invoices-svc
wait_for "invoice $id after the restart" "$api/$id" "${auth[@]}"
r=$(call "${auth[@]}" "$api/$id")
check "invoice $id survived the restart of the invoices pod" \
  "$([ "$(body_of "$r" | jq -r '[.balance, .customerName, (.payments | length)] | join(" ")')" = "7000 $ref 1" ] && echo yes || echo no)" "got $r"
echo "restart: invoices pod back in $((SECONDS - t0)) s"
echo "kube-play: $passed checks passed"
