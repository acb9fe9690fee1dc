// The Redis scripts behind OrderedConsumer. They work on BullMQ's own keys
// (`<prefix>:<queue>:wait|active|marker`, job hashes `<prefix>:<queue>:<id>` and
// their `:lock` keys), so BullMQ's Queue and Job APIs keep working on the same
// jobs: adding, counting, completing, extending locks.

/**
 * KEYS: active list, wait list, marker zset. ARGV[1]: the queue's job key prefix;
 * ARGV[2]: the caller's lock token; ARGV[3]: 'all' to move orphans only when every
 * active job is one (else return -1 and change nothing); ARGV[4..]: the ids the
 * caller holds.
 * An orphan is an active job with no lock, or with the caller's lock on a job the
 * caller does not know it holds (its take was lost with a connection: see run()).
 * The active list holds the most recently taken job at its head (jobs move in by
 * RPOPLPUSH from the wait list's tail). Orphans are pushed onto the wait list's
 * tail newest first, so the oldest ends at the tail and is taken first.
 * Within one pass that is order-safe; across passes it is not: a dead holder's
 * locks lapse oldest first, so a later pass would put newer jobs at the tail,
 * ahead of older ones an earlier pass put there. A consumer that starts after a
 * crash therefore recovers with 'all' (one pass, once every lock has lapsed).
 */
export const RECOVER_ORPHANS = `
local held = {}
for i = 4, #ARGV do held[ARGV[i]] = true end
local active = redis.call('LRANGE', KEYS[1], 0, -1)
local kept, orphans = {}, {}
for _, id in ipairs(active) do
  local lockKey = ARGV[1] .. id .. ':lock'
  local lock = redis.call('GET', lockKey)
  if lock and (lock ~= ARGV[2] or held[id]) then
    table.insert(kept, id)
  else
    if lock then redis.call('DEL', lockKey) end
    table.insert(orphans, id)
  end
end
if ARGV[3] == 'all' and #kept > 0 then return -1 end
if #orphans == 0 then return 0 end
redis.call('DEL', KEYS[1])
for from = 1, #kept, 5000 do
  redis.call('RPUSH', KEYS[1], unpack(kept, from, math.min(from + 4999, #kept)))
end
for from = 1, #orphans, 5000 do
  redis.call('RPUSH', KEYS[2], unpack(orphans, from, math.min(from + 4999, #orphans)))
end
redis.call('ZADD', KEYS[3], 0, '0')
return #orphans
`;

/**
 * Takes up to ARGV[3] jobs, and no more once they carry ARGV[9] units of work (a
 * job named `events:<n>` carries n, any other 1), in one step from the tails of several queues' wait
 * lists (each queue in its own order; the queues in turn, from the ARGV[8]th),
 * each locked for the caller as BullMQ's moveToActive would (only the lock: the
 * attempt counters and timestamps BullMQ keeps are read by nothing here, and
 * cost a third of the script's time per job). KEYS[1]: the caller's last-take record. ARGV[1]: lock token;
 * ARGV[2]: lock lifetime (ms); ARGV[4]: now (ms); ARGV[5]: this take's id;
 * ARGV[6]: fence hash ('' = none) and ARGV[7] the caller's member id: a queue is
 * taken from only while the hash names the caller as its owner (the partition
 * lease, PartitionGroup), so a process that lost a partition cannot take from it
 * even before it noticed; ARGV[10..]: pairs of queue key base (`<prefix>:<queue>:`)
 * and queue name (the fence field).
 * Idempotent per take id: the client resends a command whose answer a lost
 * connection cut off, and a second run must hand out the same jobs, not newer
 * ones (the first ones would be held by nobody, and overtaken).
 * Returns queue index (1-based, in the pairs), id, [name, data]… per job.
 */
export const TAKE_JOBS = `
local taken = {}
local function base(q) return ARGV[8 + 2 * q] end
if redis.call('HGET', KEYS[1], 'take') == ARGV[5] then
  for _, pair in ipairs(cjson.decode(redis.call('HGET', KEYS[1], 'jobs'))) do
    if redis.call('LPOS', base(pair[1]) .. 'active', pair[2]) then
      redis.call('SET', base(pair[1]) .. pair[2] .. ':lock', ARGV[1], 'PX', ARGV[2])
      table.insert(taken, pair)
    end
  end
else
  local open = {}
  local count = (#ARGV - 9) / 2
  for n = 0, count - 1 do
    local q = (n + tonumber(ARGV[8])) % count + 1
    if ARGV[6] == '' or redis.call('HGET', ARGV[6], ARGV[9 + 2 * q]) == ARGV[7] then table.insert(open, q) end
  end
  local max, room = tonumber(ARGV[3]), tonumber(ARGV[9])
  while #taken < max and room > 0 and #open > 0 do
    local still = {}
    for _, q in ipairs(open) do
      if #taken >= max or room <= 0 then break end
      local id = redis.call('RPOPLPUSH', base(q) .. 'wait', base(q) .. 'active')
      if id then
        redis.call('SET', base(q) .. id .. ':lock', ARGV[1], 'PX', ARGV[2])
        local name = redis.call('HGET', base(q) .. id, 'name')
        room = room - (name and tonumber(string.match(name, '^events:(%d+)$')) or 1)
        table.insert(taken, { q, id })
        table.insert(still, q)
      end
    end
    open = still
  end
  if #taken > 0 then
    redis.call('HSET', KEYS[1], 'take', ARGV[5], 'jobs', cjson.encode(taken))
    redis.call('PEXPIRE', KEYS[1], 10 * tonumber(ARGV[2]))
  end
end
local out = {}
for _, pair in ipairs(taken) do
  table.insert(out, pair[1])
  table.insert(out, pair[2])
  local key = base(pair[1]) .. pair[2]
  local fields = redis.call('HMGET', key, 'name', 'data')
  local more = redis.call('GET', key .. ':more')
  -- Events appended while it waited (ADD_EVENTS) go inside its events array, which ends the data.
  if more and fields[2] then fields[2] = string.sub(fields[2], 1, -3) .. more .. ']}' end
  table.insert(out, fields)
end
return out
`;

/**
 * Completes jobs held under ARGV[1] in one step, as BullMQ's moveToFinished would
 * for our plain jobs: lock released, out of the active list, into the completed
 * set with finishedOn (nothing writes job logs, so there are none to remove). A completed job is kept only as a
 * marker — its data dropped — so an add with the same job id is a no-op until
 * it goes: when older than the age its `removeOnComplete` option names, or
 * beyond the newest `count` completed (at most 1000 removed per call and queue).
 * ARGV[1]: lock token; ARGV[2]: now (ms); then per queue: its key base
 * (`<prefix>:<queue>:`), the number of its ids, the ids. Returns the job keys
 * (`<base><id>`) not completed: no longer locked by the caller.
 */
export const COMPLETE_JOBS = `
local lost = {}
local function forget(base, completed, ids)
  for _, id in ipairs(ids) do
    redis.call('DEL', base .. id, base .. id .. ':more')
    redis.call('ZREM', completed, id)
  end
end
local at = 3
while at <= #ARGV do
  local base = ARGV[at]
  local count = tonumber(ARGV[at + 1])
  local active, completed = base .. 'active', base .. 'completed'
  local maxAge, maxCount, removeNow
  for i = at + 2, at + 1 + count do
    local id = ARGV[i]
    local jobKey = base .. id
    if redis.call('GET', jobKey .. ':lock') ~= ARGV[1] or redis.call('LREM', active, -1, id) == 0 then
      table.insert(lost, jobKey)
    else
      redis.call('DEL', jobKey .. ':lock', jobKey .. ':more')
      if removeNow == nil then
        local opts = cjson.decode(redis.call('HGET', jobKey, 'opts') or '{}')
        local keep = opts['removeOnComplete']
        removeNow = keep == true
        if type(keep) == 'table' then
          maxAge = tonumber(keep['age'])
          maxCount = tonumber(keep['count'])
        end
      end
      if removeNow then
        redis.call('DEL', jobKey)
      else
        redis.call('ZADD', completed, ARGV[2], id)
        redis.call('HDEL', jobKey, 'data')
        redis.call('HSET', jobKey, 'finishedOn', ARGV[2])
      end
    end
  end
  if maxAge then
    forget(base, completed, redis.call('ZRANGEBYSCORE', completed, '-inf', tonumber(ARGV[2]) - maxAge * 1000, 'LIMIT', 0, 1000))
  end
  if maxCount then
    local excess = redis.call('ZCARD', completed) - maxCount
    if excess > 0 then forget(base, completed, redis.call('ZRANGE', completed, 0, math.min(excess, 1000) - 1)) end
  end
  at = at + 2 + count
end
return lost
`;

/** Renews the caller's locks. ARGV[1]: lock token; ARGV[2]: lifetime (ms); ARGV[3..]: lock keys. A lock held by anyone else (or gone) is left as it is. */
export const EXTEND_LOCKS = `
for i = 3, #ARGV do
  if redis.call('GET', ARGV[i]) == ARGV[1] then redis.call('PEXPIRE', ARGV[i], ARGV[2]) end
end
return 0
`;

/**
 * Fails a job held under ARGV[1], as BullMQ's moveToFailed would without retries:
 * out of the active list into the failed set, with the reason. ARGV: lock token,
 * queue key base, job id, now (ms), reason. Returns 1, or 0 when the caller no
 * longer holds its lock.
 */
export const FAIL_JOB = `
local jobKey = ARGV[2] .. ARGV[3]
if redis.call('GET', jobKey .. ':lock') ~= ARGV[1] then return 0 end
redis.call('DEL', jobKey .. ':lock')
redis.call('LREM', ARGV[2] .. 'active', -1, ARGV[3])
redis.call('ZADD', ARGV[2] .. 'failed', ARGV[4], ARGV[3])
redis.call('HSET', jobKey, 'failedReason', ARGV[5], 'finishedOn', ARGV[4])
redis.call('HINCRBY', jobKey, 'atm', 1)
return 1
`;

/**
 * Counts the units of work waiting and active in a queue: a job named
 * `<ARGV[2]><n>` counts n, any other job 1. KEYS: wait list, active list.
 * ARGV[1]: the queue's job key prefix; ARGV[2]: the name prefix.
 * Returns { waiting, active }.
 */
export const COUNT_UNITS = `
local counts = {}
for i = 1, 2 do
  local total = 0
  for _, id in ipairs(redis.call('LRANGE', KEYS[i], 0, -1)) do
    local name = redis.call('HGET', ARGV[1] .. id, 'name')
    local n = name and string.sub(name, 1, #ARGV[2]) == ARGV[2] and tonumber(string.sub(name, #ARGV[2] + 1))
    total = total + (n or 1)
  end
  counts[i] = total
end
return counts
`;

/**
 * Adds one job as BullMQ's addStandardJob would for our plain jobs (custom id,
 * no delay, priority, parent, deduplication or pause): the job hash, the wait
 * list's head, the workers' marker. An id that already has a job hash — waiting,
 * active, or kept completed as a marker — adds nothing, so a round or a fan-out
 * repeated after a crash is a no-op. BullMQ's script also counts ids, keeps the
 * queue's meta and writes the events stream; nothing here reads those, and they
 * made its add ~66 µs of Redis time against ~30 for this one (bench/add-jobs.ts).
 * KEYS: job hash, wait list, marker zset. ARGV: job id, name, data (JSON), opts
 * (JSON), timestamp (ms). Returns 1 if added, 0 if the id was there.
 */
export const ADD_JOB = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'name', ARGV[2], 'data', ARGV[3], 'opts', ARGV[4], 'timestamp', ARGV[5], 'delay', 0, 'priority', 0)
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], 0, '0')
return 1
`;

/**
 * Adds a batch of events to a target queue, coalescing while the queue is
 * behind: when the newest waiting job (not yet taken) was made here and has
 * room, the events are appended to it instead of making a new job. A queue whose
 * consumer keeps up gets one job per batch as before (no event waits for
 * company); a backlog is kept in jobs of up to ARGV[7] events, so its drain pays
 * the per-job costs (take, lock, completion) once per many events — with
 * partitions, a router batch is split P ways and its jobs were otherwise a few
 * events each. Order holds: the newest waiting job is behind everything else in
 * its queue, and the script is atomic with takes.
 * Appended events go to the string `<job key>:more` (APPEND: no copy of what is
 * there; rewriting the job's data on each append made Redis copy a growing job
 * over and over); TAKE_JOBS hands out the data with them spliced in, and
 * COMPLETE_JOBS removes it with the job's data.
 * A batch that got a job of its own is known by that job's id (kept, once
 * completed, as long as its queue keeps completed ids); the id of a batch that
 * joined another job is remembered in a sorted set (the newest ARGV[9] of
 * them). Either way adding the same id again is a no-op. KEYS: job hash, wait list, marker zset, seen-ids zset. ARGV:
 * job id, units (events), data (JSON ending in its events array, `…]}`), opts
 * (JSON), timestamp (ms), the events alone (JSON array without its brackets),
 * most events per job, job key prefix, ids remembered. Returns 1 if added as a
 * job, 2 if appended, 0 if the id was there.
 */
export const ADD_EVENTS = `
if redis.call('ZSCORE', KEYS[4], ARGV[1]) or redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local units = tonumber(ARGV[2])
local newest = redis.call('LINDEX', KEYS[2], 0)
if newest then
  local key = ARGV[8] .. newest
  local fields = redis.call('HMGET', key, 'name', 'appendable')
  local n = fields[1] and tonumber(string.match(fields[1], '^events:(%d+)$'))
  if n and fields[2] == '1' and n + units <= tonumber(ARGV[7]) then
    redis.call('APPEND', key .. ':more', ',' .. ARGV[6])
    redis.call('HSET', key, 'name', 'events:' .. (n + units))
    redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
    local excess = redis.call('ZCARD', KEYS[4]) - tonumber(ARGV[9])
    if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[4], 0, excess - 1) end
    return 2
  end
end
redis.call('HSET', KEYS[1], 'name', 'events:' .. units, 'data', ARGV[3], 'opts', ARGV[4], 'timestamp', ARGV[5], 'delay', 0, 'priority', 0, 'appendable', '1')
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], 0, '0')
return 1
`;
