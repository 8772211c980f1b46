# Sourced by the bench scripts: how busy the whole machine is, and waiting for it to be quiet
# before a measured run (the machine is shared). Expects QUIET_BUSY_PCT, QUIET_MAX_WAIT_S and a
# `log` function writing to stderr.
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8; exit}' /proc/stat; }
busy_pct_over() { # seconds -> whole-machine busy % over that interval
  local a b; a=($(machine_ticks)); sleep "$1"; b=($(machine_ticks))
  echo $(( 100 * (b[0] - a[0]) / (b[1] - a[1] > 0 ? b[1] - a[1] : 1) ))
}
# Waits until the machine is less than QUIET_BUSY_PCT busy (at most QUIET_MAX_WAIT_S), logs it,
# and prints the last busy percentage.
wait_quiet() {
  local waited=0 busy
  while busy=$(busy_pct_over 2); ((busy >= QUIET_BUSY_PCT && waited < QUIET_MAX_WAIT_S)); do
    waited=$((waited + 2))
  done
  log "machine ${busy}% busy before the run (waited ${waited} s for < ${QUIET_BUSY_PCT}%), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$busy"
}
