-- One GET scenario for wrk (bench/run.py starts it; see bench/README.md).
--
-- Environment: BENCH_PATH (the address), BENCH_COOKIE (a prepared staff session, or empty).
-- Every request carries what a browser behind the TLS proxy would: X-Forwarded-Proto,
-- an X-Forwarded-For address (one /24 network per thread), Accept-Encoding.
-- done() prints one line "BENCH_JSON {...}" with the counts and latency percentiles.

local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local path = os.getenv("BENCH_PATH") or "/"
local cookie = os.getenv("BENCH_COOKIE") or ""
local prepared

function init(args)
  local headers = {
    ["Accept"] = "text/html,application/xhtml+xml",
    ["Accept-Encoding"] = "gzip, deflate, br",
    ["Accept-Language"] = "en-GB,en;q=0.9",
    ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14) waypoint-bench",
    ["X-Forwarded-Proto"] = "https",
    ["X-Forwarded-For"] = "10.77." .. tostring(id) .. ".10",
  }
  if cookie ~= "" then
    headers["Cookie"] = cookie
  end
  prepared = wrk.format("GET", path, headers)
end

function request()
  return prepared
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
