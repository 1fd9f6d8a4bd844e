-- wrk script for bench/pages.py: rotate over a list of requests, count what came back.
--
--   wrk -t2 -c16 -d30s -s bench/rotate.lua http://127.0.0.1:PORT -- URLS_FILE
--
-- URLS_FILE has one request a line: a path, then optionally a tab and a Cookie header value
-- (a signed-in member's session), sent with a browser's Accept-Encoding. Each thread starts at its own offset in the list.
-- Every answer that is not a 200 counts as an error (a redirect to sign in is one), and the
-- X-Queries header the benchmark's server adds (BENCH_COUNT_QUERIES=true) is summed; answers
-- the anonymous page cache served say "X-Cache: hit" and are counted.
-- done() prints one line starting "BENCH " with the figures as JSON.

local threads = {}

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

local requests = {}
local next_index = 1

function init(args)
  local file = args[1]
  for line in io.lines(file) do
    local path, cookie = line:match("^([^\t]+)\t?(.*)$")
    if path then
      -- As every browser does; only the anonymous page cache's answers are compressed.
      local headers = {["Accept-Encoding"] = "gzip, deflate, br"}
      if cookie ~= "" then
        headers["Cookie"] = cookie
      end
      table.insert(requests, wrk.format("GET", path, headers))
    end
  end
  if #requests == 0 then
    error("no requests in " .. file)
  end
  next_index = ((number or 0) * 7919) % #requests + 1
  answers, not_ok, queries_sum, queries_max, counted, hits = 0, 0, 0, 0, 0, 0
  statuses = ""
end

function request()
  local item = requests[next_index]
  next_index = next_index % #requests + 1
  return item
end

function response(status, headers, body)
  answers = answers + 1
  if status ~= 200 then
    not_ok = not_ok + 1
    if #statuses < 200 then
      statuses = statuses .. status .. " "
    end
  end
  if (headers["X-Cache"] or headers["x-cache"]) == "hit" then
    hits = hits + 1
  end
  local q = tonumber(headers["X-Queries"] or headers["x-queries"] or "")
  if q then
    counted = counted + 1
    queries_sum = queries_sum + q
    if q > queries_max then
      queries_max = q
    end
  end
end

function done(summary, latency, requests_stats)
  local answers_all, not_ok_all, sum_all, max_all, counted_all, hits_all = 0, 0, 0, 0, 0, 0
  local seen = ""
  for _, thread in ipairs(threads) do
    answers_all = answers_all + thread:get("answers")
    not_ok_all = not_ok_all + thread:get("not_ok")
    sum_all = sum_all + thread:get("queries_sum")
    counted_all = counted_all + thread:get("counted")
    hits_all = hits_all + thread:get("hits")
    local m = thread:get("queries_max")
    if m > max_all then
      max_all = m
    end
    seen = seen .. thread:get("statuses")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "answers": %d, "not_200": %d, ' ..
    '"not_200_statuses": "%s", "socket_errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d}, "http_errors": %d, "queries_sum": %d, "queries_max": %d, ' ..
    '"queries_counted": %d, "cache_hits": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, answers_all, not_ok_all, seen,
    e.connect, e.read, e.write, e.timeout, e.status, sum_all, max_all, counted_all, hits_all,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
