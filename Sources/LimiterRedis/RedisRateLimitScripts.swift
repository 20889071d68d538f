/// The store's Lua scripts: each runs atomically in Redis, so a reservation checks and adds all its
/// counters with no other replica's call in between, and a settlement replaces a ticket's amounts once.
///
/// They do the arithmetic of `RateLimitCounterTable` over Redis keys (see `RedisRateLimitKeys`):
/// - a windowed counter is a hash of bucket index → amount plus `h`, the latest bucket index seen;
///   a counter's usage is the sum of its buckets in `(head - count, head]`, where head is the later
///   of `h` and the caller's bucket of now, and buckets older than that are deleted when read;
/// - a `concurrent_requests` counter is an integer;
/// - a reservation not yet settled is a ticket: its id in a sorted set scored by its expiry, and the
///   in-flight slots it holds (amount and key, one per line) in a hash by id. Settling removes it
///   (removing nothing means it was settled or expired: nothing changes); every reservation first
///   frees the slots of up to 100 expired tickets, whose amounts stay as reserved.
///
/// Times and bucket indexes come from the caller (`RateLimitWindow.period(at:)` of its `now`), so
/// the scripts share the Swift code's calendar arithmetic and tests can move time by hand.
/// Numbers written back are formatted with `%d`: Redis would format a Lua number as a float.
enum RedisRateLimitScripts {
    private static let prelude = """
        local function int(x) return string.format('%d', x) end

        local function sweep(tickets, inflight, now, most)
          local expired = redis.call('ZRANGEBYSCORE', tickets, '-inf', now, 'LIMIT', 0, most)
          for _, id in ipairs(expired) do
            local held = redis.call('HGET', inflight, id)
            if held then
              local parts = {}
              for part in string.gmatch(held, '[^\\n]+') do parts[#parts + 1] = part end
              for i = 1, #parts, 2 do
                if redis.call('DECRBY', parts[i + 1], parts[i]) <= 0 then redis.call('DEL', parts[i + 1]) end
              end
              redis.call('HDEL', inflight, id)
            end
            redis.call('ZREM', tickets, id)
          end
          return #expired
        end

        local function window(key, period, count)
          local fields = redis.call('HGETALL', key)
          local head = period
          for i = 1, #fields, 2 do
            if fields[i] == 'h' then head = math.max(head, tonumber(fields[i + 1])) end
          end
          local used, live, dead = 0, {}, {}
          for i = 1, #fields, 2 do
            if fields[i] ~= 'h' then
              local p = tonumber(fields[i])
              if p <= head - count then
                dead[#dead + 1] = fields[i]
              else
                local amount = tonumber(fields[i + 1])
                used = used + amount
                live[#live + 1] = p
                live[#live + 1] = amount
              end
            end
          end
          if #dead > 0 then redis.call('HDEL', key, unpack(dead)) end
          return used, head, live
        end

        """

    /// KEYS: tickets, in-flight slots, ticket sequence, then one counter per charge.
    /// ARGV: now (ms), the ticket's expiry (ms), the TTL of the ticket keys (ms), then six per
    /// charge: `w` (windowed) or `c` (concurrent), limit, amount, bucket of now, bucket count, TTL (ms).
    /// Reply: `{0, index, used, period, amount, ...}` (the refusing charge, its usage and live
    /// buckets), or `{1, ticket, used, period, newest, ...}` (per charge: its usage after the
    /// addition, the bucket it went to, the newest non-empty bucket or nil).
    static let reserve = RedisScript(
        prelude + """
            local now = ARGV[1]
            sweep(KEYS[1], KEYS[2], now, 100)
            local charges = #KEYS - 3
            local seen = {}
            for i = 1, charges do
              local a = 3 + (i - 1) * 6
              local key, limit, amount = KEYS[3 + i], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
              local used, head, live
              if ARGV[a + 1] == 'w' then
                used, head, live = window(key, tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]))
              else
                used, head, live = tonumber(redis.call('GET', key) or '0'), 0, {}
              end
              if amount > 0 and used > limit - amount then
                local refusal = {0, i - 1, used}
                for j = 1, #live do refusal[#refusal + 1] = live[j] end
                return refusal
              end
              seen[i] = {used, head, live}
            end
            local id = redis.call('INCR', KEYS[3])
            local reply, held = {1, id}, {}
            for i = 1, charges do
              local a = 3 + (i - 1) * 6
              local key, amount, ttl = KEYS[3 + i], tonumber(ARGV[a + 3]), ARGV[a + 6]
              local used, head, live = seen[i][1], seen[i][2], seen[i][3]
              if ARGV[a + 1] == 'w' then
                redis.call('HINCRBY', key, int(head), ARGV[a + 3])
                redis.call('HSET', key, 'h', int(head))
                redis.call('PEXPIRE', key, ttl)
                local newest = nil
                if amount ~= 0 then
                  newest = head
                else
                  for j = 1, #live, 2 do
                    if live[j + 1] ~= 0 and (newest == nil or live[j] > newest) then newest = live[j] end
                  end
                end
                reply[#reply + 1] = used + amount
                reply[#reply + 1] = head
                reply[#reply + 1] = newest or false
              else
                redis.call('INCRBY', key, ARGV[a + 3])
                redis.call('PEXPIRE', key, ttl)
                held[#held + 1] = ARGV[a + 3]
                held[#held + 1] = key
                reply[#reply + 1] = used + amount
                reply[#reply + 1] = 0
                reply[#reply + 1] = false
              end
            end
            redis.call('ZADD', KEYS[1], ARGV[2], id)
            if #held > 0 then redis.call('HSET', KEYS[2], id, table.concat(held, '\\n')) end
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            return reply
            """
    )

    /// KEYS: tickets, in-flight slots, then one counter per charge.
    /// ARGV: the ticket, then six per charge: `w` or `c`, bucket count, the bucket it was added to,
    /// bucket of now, final amount minus reserved amount, TTL (ms).
    /// Reply: 1 when the ticket was held and is now settled, 0 when nothing changed.
    static let settle = RedisScript(
        prelude + """
            if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
            redis.call('HDEL', KEYS[2], ARGV[1])
            for i = 1, #KEYS - 2 do
              local a = 1 + (i - 1) * 6
              local key, delta = KEYS[2 + i], tonumber(ARGV[a + 5])
              if ARGV[a + 1] == 'c' then
                if redis.call('INCRBY', key, ARGV[a + 5]) <= 0 then redis.call('DEL', key) end
              elseif delta ~= 0 then
                local count, period, now = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
                local head = math.max(now, tonumber(redis.call('HGET', key, 'h') or ARGV[a + 4]))
                local amount = redis.call('HGET', key, ARGV[a + 3])
                if amount and period <= head and period > head - count then
                  redis.call('HSET', key, ARGV[a + 3], int(math.max(0, tonumber(amount) + delta)))
                elseif delta > 0 then
                  redis.call('HINCRBY', key, int(head), ARGV[a + 5])
                  redis.call('HSET', key, 'h', int(head))
                  redis.call('PEXPIRE', key, ARGV[a + 6])
                end
              end
            end
            return 1
            """
    )

    /// KEYS: tickets, in-flight slots. ARGV: now (ms), how many tickets at most.
    /// Reply: how many expired tickets had their slots freed.
    static let expire = RedisScript(
        prelude + """
            return sweep(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]))
            """
    )

    static let all = [reserve, settle, expire]
}
