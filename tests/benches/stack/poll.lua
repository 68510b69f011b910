-- wrk script for `cargo xtask bench`. With a targets file (one "PATH TOKEN ETAG" line per pending
-- checkout), each request polls the next checkout the way the widget does: Bearer order token, and
-- every other request conditional on the ETag it was created with (a 304 while nothing changed).
-- Without one, the URL's own path (GET /healthz). Prints its figures as one JSON line.
local targets = {}
local n = 0

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      local path, token, etag = line:match("^(%S+) (%S+) (.+)$")
      targets[#targets + 1] = { path = path, token = token, etag = etag }
    end
  end
end

function request()
  if #targets == 0 then
    return wrk.request()
  end
  n = n + 1
  local t = targets[(n % #targets) + 1]
  local headers = { Authorization = "Bearer " .. t.token }
  if n % 2 == 0 then
    headers["If-None-Match"] = t.etag
  end
  return wrk.format("GET", t.path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
