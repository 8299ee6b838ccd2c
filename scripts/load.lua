-- wrk script for `make load`: rotates over both routes and every auth path. The credentials
-- come from the environment (scripts/load.sh reads them from .dev/seed.json).
local tenant = os.getenv("LOAD_TENANT")
local ada = os.getenv("LOAD_TOKEN_ADA")
local grace = os.getenv("LOAD_TOKEN_GRACE")
local key = os.getenv("LOAD_API_KEY")
local secret = os.getenv("LOAD_API_SECRET")

local requests = {
  wrk.format("GET", "/me", { ["Cookie"] = "__session=" .. ada }),
  wrk.format("GET", "/me", { ["Authorization"] = "Bearer " .. grace }),
  wrk.format("GET", "/users/me", { ["X-Domain"] = tenant, ["Authorization"] = "Bearer " .. ada }),
  wrk.format("GET", "/users/me", { ["X-Domain"] = tenant, ["X-API-KEY"] = key, ["X-API-SECRET"] = secret }),
  wrk.format("GET", "/users/me?include=profile", { ["X-Domain"] = tenant, ["X-API-KEY"] = key, ["X-API-SECRET"] = secret }),
}
local next_request = 0

request = function()
  next_request = (next_request % #requests) + 1
  return requests[next_request]
end

local failures = 0
response = function(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("requests: %d, non-200: %d, socket errors: %d\n", summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
