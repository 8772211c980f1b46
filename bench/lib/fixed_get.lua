-- wrk script: GET of one path (BENCH_PATH), counting non-200 answers and answers without an
-- expectedDate when BENCH_WANT_EXPECTED=1 (the predictor must be in the path being measured).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "common.lua")
local path = os.getenv("BENCH_PATH") or "/"
local want_expected = os.getenv("BENCH_WANT_EXPECTED") == "1"

function request()
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status ~= 200 or (want_expected and not string.find(body, '"expectedDate":"', 1, true)) then
    bad = bad + 1
  end
end
