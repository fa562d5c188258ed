-- wrk_post.lua -- POST one GraphQL request body (from the file named by WRK_BODY) with the API key
-- in WRK_KEY; prints nothing of its own (wrk --latency gives the percentiles).
local f = assert(io.open(os.getenv("WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local key = os.getenv("WRK_KEY")
if key and #key > 0 then wrk.headers["API-Key"] = key end
