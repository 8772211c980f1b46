-- wrk script: GET of one path (BENCH_PATH), counting non-200 answers and answers without an
-- expectedDate when BENCH_WANT_EXPECTED=1 (the predictor must be in the path being measured).
local path = os.getenv("BENCH_PATH") or "/"
local want_expected = os.getenv("BENCH_WANT_EXPECTED") == "1"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function request()
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status ~= 200 or (want_expected and not string.find(body, '"expectedDate":"', 1, true)) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + (t:get("bad") or 0) end
  io.write(string.format("BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f non200=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
      summary.errors.timeout))
end
