--[[
RPCs for tests/nakama/test_rpc.py (and the RPC cases of test_differential.py). The reference
server registers the same functions in Python (tests/nakama/rpc_handlers.py), so the two answer
alike:

  gs_echo     the payload, unchanged (a JSON string in, the same string out)
  gs_whoami   {"user_id", "username", "vars", "payload"} of the caller ("" user: the http key)
  gs_fail     error({message, code}) from the payload {"message": "...", "code": N}
  gs_crash    a plain Lua error: what Nakama answers for a function that breaks
  gs_nothing  returns nil: an empty payload
]]
local nk = require("nakama")

local function echo(_, payload)
  return payload
end

local function whoami(context, payload)
  return nk.json_encode({
    user_id = context.user_id or "",
    username = context.username or "",
    vars = context.vars or {},
    payload = payload,
  })
end

local function fail(_, payload)
  local p = nk.json_decode(payload)
  error({ p.message, p.code })
end

local function crash(_, _)
  error("gameservices: this function is broken on purpose")
end

local function nothing(_, _)
  return nil
end

nk.register_rpc(echo, "gs_echo")
nk.register_rpc(whoami, "gs_whoami")
nk.register_rpc(fail, "gs_fail")
nk.register_rpc(crash, "gs_crash")
nk.register_rpc(nothing, "gs_nothing")
