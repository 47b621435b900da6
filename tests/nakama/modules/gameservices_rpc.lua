--[[
Server-to-server RPCs for tests/nakama/test_differential.py, which needs a board nobody else
has written to for each case (it compares ranks and counts exactly). Callable only with the
runtime HTTP key (?http_key=...), never by a player session:

  POST /v2/rpc/gameservices_board_create?http_key=KEY&unwrap
       {"id": "...", "sort": "desc"|"asc", "operator": "best"|"set"|"incr"|"decr",
        "reset": "<cron>"|null, "ranks": true|false}
  POST /v2/rpc/gameservices_board_delete?http_key=KEY&unwrap   {"id": "..."}
]]
local nk = require("nakama")

local SORTS = { asc = true, desc = true }
local OPERATORS = { best = true, set = true, incr = true, decr = true }

local function server_only(context)
  if context.user_id ~= nil and context.user_id ~= "" then
    error({ "server-to-server only: call with the runtime http_key", 7 })
  end
end

local function board_create(context, payload)
  server_only(context)
  local p = nk.json_decode(payload)
  if type(p.id) ~= "string" or not p.id:match("^gsd_[%w_]+$") then
    error({ "id must match gsd_[A-Za-z0-9_]+", 3 })
  end
  if not SORTS[p.sort] or not OPERATORS[p.operator] then
    error({ "sort must be asc/desc and operator best/set/incr/decr", 3 })
  end
  local reset = p.reset
  if reset == nk.json_decode("null") or reset == "" then reset = nil end
  nk.leaderboard_create(p.id, false, p.sort, p.operator, reset, { suite = "differential" },
    p.ranks ~= false)
  return nk.json_encode({ id = p.id })
end

local function board_delete(context, payload)
  server_only(context)
  local p = nk.json_decode(payload)
  if type(p.id) ~= "string" or not p.id:match("^gsd_[%w_]+$") then
    error({ "id must match gsd_[A-Za-z0-9_]+", 3 })
  end
  nk.leaderboard_delete(p.id)
  return nk.json_encode({ id = p.id })
end

nk.register_rpc(board_create, "gameservices_board_create")
nk.register_rpc(board_delete, "gameservices_board_delete")
