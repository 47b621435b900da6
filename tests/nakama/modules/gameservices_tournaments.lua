--[[
Tournaments the gameservices integration suite (tests/nakama/test_tournaments.py) plays. The
reference server in tests/nakama/conftest.py is configured with the same tournaments
(tests/nakama/support.py TOURNAMENTS; tests/nakama/test_modules.py checks that the two agree).

A tournament without a start time starts when it is first created (Nakama keeps that time, and
creating it again changes nothing), so the open ones last ten years. gs_t_small resets every
minute (its size goes back to 0 then), so its max size can be tested again and again.
Lua API: nk.tournament_create(id, authoritative, sort, operator, duration, reset_schedule,
metadata, title, description, category, start_time, end_time, max_size, max_num_score,
join_required, enable_ranks).
]]
local nk = require("nakama")

local TEN_YEARS = 315360000

local TOURNAMENTS = {
  -- id             auth   sort    operator  duration   reset        category start       end  max_size max_num join   title
  { "gs_t_best",    false, "desc", "best",   TEN_YEARS, nil,         1,       0,          0,   0,       0,      false, "Best of" },
  { "gs_t_asc",     false, "asc",  "set",    TEN_YEARS, nil,         2,       0,          0,   0,       0,      false, "Fastest" },
  { "gs_t_incr",    false, "desc", "incr",   TEN_YEARS, nil,         2,       0,          0,   0,       0,      false, "Totals" },
  { "gs_t_join",    false, "desc", "best",   TEN_YEARS, nil,         3,       0,          0,   0,       0,      true,  "Members" },
  { "gs_t_tries",   false, "desc", "best",   TEN_YEARS, nil,         3,       0,          0,   0,       2,      false, "Two tries" },
  { "gs_t_small",   false, "desc", "best",   60,        "* * * * *", 4,       0,          0,   2,       0,      true,  "Pairs" },
  { "gs_t_daily",   false, "desc", "best",   3600,      "0 12 * * *", 4,      0,          0,   0,       0,      false, "Lunch" },
  { "gs_t_auth",    true,  "desc", "best",   TEN_YEARS, nil,         5,       0,          0,   0,       0,      false, "Server only" },
  { "gs_t_future",  false, "desc", "best",   3600,      nil,         6,       4102444800, 0,   0,       0,      false, "Next century" },
  { "gs_t_ended",   false, "desc", "best",   1,         nil,         6,       1,          2,   0,       0,      true,  "Long ago" },
}

for _, t in ipairs(TOURNAMENTS) do
  nk.tournament_create(t[1], t[2], t[3], t[4], t[5], t[6], { suite = "gameservices" }, t[13],
    "gameservices suite", t[7], t[8], t[9], t[10], t[11], t[12], true)
end
nk.logger_info(("gameservices: %d tournaments ready"):format(#TOURNAMENTS))
