// The Redis scripts behind a target's partitions: its layout (how many
// partitions its queue has) and its consumer group (which live process owns
// which partition queue). Key layout in contracts/partitions.ts.

/**
 * Lua: sets `layout` to the target's current layout, creating it on first use:
 * the configured P (ARGV[3]), or 0 (the single queue of releases before
 * partitions) while that queue still holds jobs. Expects `layoutKey` set to the
 * layout key, ARGV[1] = BullMQ prefix with its colon, ARGV[2] = the target's base
 * queue name.
 */
const CURRENT_LAYOUT = `
local layout = tonumber(redis.call('GET', layoutKey))
if layout == nil then
  local legacy = ARGV[1] .. ARGV[2] .. ':'
  if redis.call('LLEN', legacy .. 'wait') + redis.call('LLEN', legacy .. 'active') > 0 then layout = 0
  else layout = tonumber(ARGV[3]) end
  redis.call('SET', layoutKey, layout)
end
local function names(n)
  local list = {}
  if n == 0 then list[1] = ARGV[2]
  else for i = 0, n - 1 do list[i + 1] = ARGV[2] .. '.p' .. i end end
  return list
end
`;

/**
 * The router's view: the layout new events go to. When the configured P
 * (ARGV[3]) differs from the current layout, the layout changes only if every
 * queue of the current one is empty (nothing waiting, nothing held), so no
 * event of a key can be overtaken by a later one in another partition.
 * KEYS[1]: the layout key. Returns { layout, pending } (pending = 1 while a
 * change waits for the drain).
 */
export const ROUTE_LAYOUT = `local layoutKey = KEYS[1]
${CURRENT_LAYOUT}
local wanted = tonumber(ARGV[3])
if layout == wanted then return { layout, 0 } end
for _, name in ipairs(names(layout)) do
  local base = ARGV[1] .. name .. ':'
  if redis.call('LLEN', base .. 'wait') + redis.call('LLEN', base .. 'active') > 0 then return { layout, 1 } end
end
redis.call('SET', layoutKey, wanted)
return { wanted, 0 }
`;

/**
 * One member's heartbeat in its target's consumer group, and its share of the
 * partitions. KEYS: members (zset: member → lease expiry, ms), owners (hash:
 * partition queue → member), layout. ARGV[1..3] as CURRENT_LAYOUT; ARGV[4]:
 * member; ARGV[5]: now (ms); ARGV[6]: lease (ms).
 * Members whose lease lapsed are dropped and their partitions freed (the next
 * owner still waits for the locks of what they held to lapse: PartitionedConsumer).
 * Shares are even: with P partitions and N members (sorted by id), the first
 * P mod N members own ceil(P/N), the others floor(P/N). A member keeps what it
 * owns up to its share (so a join or leave moves as few partitions as possible),
 * is told to release the rest (it drains them first), and claims free ones
 * below its share. A partition is never taken from a live owner.
 * Returns { layout, owned queues, queues to release }.
 */
export const GROUP_TICK = `local layoutKey = KEYS[3]
${CURRENT_LAYOUT}
local member, now = ARGV[4], tonumber(ARGV[5])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
for _, gone in ipairs(expired) do redis.call('ZREM', KEYS[1], gone) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[6]), member)
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local live = {}
for _, m in ipairs(members) do live[m] = true end
table.sort(members)
local current = names(layout)
local inLayout = {}
for _, name in ipairs(current) do inLayout[name] = true end
local owners = redis.call('HGETALL', KEYS[2])
local owner = {}
local release = {}
for i = 1, #owners, 2 do
  local name, who = owners[i], owners[i + 1]
  if not live[who] then redis.call('HDEL', KEYS[2], name)
  else
    owner[name] = who
    if who == member and not inLayout[name] then table.insert(release, name) end
  end
end
local index = 0
for i, m in ipairs(members) do if m == member then index = i - 1 end end
local share = math.floor(#current / #members)
if index < #current % #members then share = share + 1 end
local mine = {}
for _, name in ipairs(current) do if owner[name] == member then table.insert(mine, name) end end
if #mine > share then
  for i = share + 1, #mine do table.insert(release, mine[i]) end
else
  for _, name in ipairs(current) do
    if #mine >= share then break end
    if owner[name] == nil then
      redis.call('HSET', KEYS[2], name, member)
      table.insert(mine, name)
    end
  end
end
for _, name in ipairs(release) do
  if not inLayout[name] then table.insert(mine, name) end
end
return { layout, mine, release }
`;

/** Gives partitions up. KEYS[1]: owners. ARGV[1]: member; ARGV[2..]: partition queues (only its own are freed). */
export const GROUP_RELEASE = `
local freed = 0
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    freed = freed + 1
  end
end
return freed
`;

/** Leaves the group: KEYS members, owners; ARGV[1]: member. Frees whatever it still owns. */
export const GROUP_LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
local owners = redis.call('HGETALL', KEYS[2])
for i = 1, #owners, 2 do
  if owners[i + 1] == ARGV[1] then redis.call('HDEL', KEYS[2], owners[i]) end
end
return 0
`;
