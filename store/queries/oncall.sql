-- name: OnCallLock
-- Serialises roster replacements (two at once would both delete the old
-- rows and keep both new sets); readers are not blocked.
LOCK TABLE oncall_shifts IN EXCLUSIVE MODE;

-- name: OnCallDeleteAll
DELETE FROM oncall_shifts;

-- name: OnCallInsert
INSERT INTO oncall_shifts (staff_id, weekday, start_minute, end_minute, level)
SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::smallint[], $4::smallint[], $5::smallint[]);

-- name: OnCallRoster
SELECT o.staff_id, s.name, s.active, o.weekday, o.start_minute, o.end_minute, o.level
FROM oncall_shifts o JOIN staff s ON s.id = o.staff_id
ORDER BY o.weekday, o.start_minute, o.level, s.name, o.staff_id, o.end_minute;

-- name: OnCallChain
-- Who is on call at local weekday $1 (0 = Sunday), minute $2 after local
-- midnight: a shift on that day covering the minute, or an overnight shift
-- from the day before still running. Someone on several levels is listed
-- once, at their first.
SELECT s.id, s.name, s.role, coalesce(s.phone, ''), coalesce(s.email, ''), s.active, s.created_at, c.level
FROM staff s
JOIN (
    SELECT staff_id, min(level) AS level FROM oncall_shifts
    WHERE (start_minute < end_minute AND weekday = $1 AND $2 >= start_minute AND $2 < end_minute)
       OR (end_minute < start_minute AND weekday = $1 AND $2 >= start_minute)
       OR (end_minute < start_minute AND weekday = ($1 + 6) % 7 AND $2 < end_minute)
    GROUP BY staff_id
) c ON c.staff_id = s.id
WHERE s.active
ORDER BY c.level, s.name, s.id;
