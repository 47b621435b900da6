--[[
Leaderboards the gameservices integration suite (tests/nakama) writes to. The reference server
in tests/nakama/conftest.py is configured with the same ids, sort orders and operators
(tests/nakama/test_modules.py checks that the two tables agree).

Nakama 3.x leaves ranks off unless enable_ranks is true: records then come back without a rank,
so every board the suite ranks on enables them; gs_noranks shows what happens without.
leaderboard_create keeps an existing board as it is: to change one, delete it first (or rename).
Lua API: nk.leaderboard_create(id, authoritative, sort, operator, reset_schedule, metadata,
enable_ranks).
]]
local nk = require("nakama")

local BOARDS = {
  -- id               sort    operator  reset (cron)  ranks
  { "gs_best_desc",   "desc", "best",   nil,          true },
  { "gs_best_asc",    "asc",  "best",   nil,          true },
  { "gs_set",         "desc", "set",    nil,          true },
  { "gs_incr",        "desc", "incr",   nil,          true },
  { "gs_decr",        "desc", "decr",   nil,          true },
  { "gs_noranks",     "desc", "best",   nil,          false },
  { "gs_weekly",      "desc", "best",   "0 0 * * 1",  true },
}

for _, b in ipairs(BOARDS) do
  -- authoritative=false: clients write their own scores, as the reference server lets them.
  nk.leaderboard_create(b[1], false, b[2], b[3], b[4], { suite = "gameservices" }, b[5])
end
nk.logger_info(("gameservices: %d leaderboards ready"):format(#BOARDS))
