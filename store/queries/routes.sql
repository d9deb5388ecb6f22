-- name: RouteInsert
-- One route per inbound message: a provider's re-delivery adds nothing.
INSERT INTO inbound_routes (message_id, sender, route) VALUES ($1, $2, $3)
ON CONFLICT (message_id) DO NOTHING;

-- name: RouteSendersDue
-- Senders whose oldest pending route is due, oldest first. A sender whose
-- head route is backing off waits as a whole, so its replies keep order.
SELECT sender FROM (
    SELECT DISTINCT ON (sender) sender, seq, next_attempt_at FROM inbound_routes
    WHERE routed_at IS NULL ORDER BY sender, seq
) head WHERE next_attempt_at <= now() ORDER BY seq LIMIT $1;

-- name: RouteSenderLock
-- Only one router (of any api process) works on a sender at a time; held
-- until the transaction ends.
SELECT pg_try_advisory_xact_lock(hashtext('carepath.inbound_route'), hashtext($1));

-- name: RouteHead
-- The sender's oldest pending route, with what routing needs from its
-- message; locked for the transaction. The last column says whether
-- another route of the sender waits behind it, so a router that routed
-- this one looks again only then (one transaction fewer per reply).
SELECT r.seq, r.message_id, r.route, r.attempts, r.next_attempt_at <= now(), m.channel, m.body, m.created_at,
    EXISTS (SELECT 1 FROM inbound_routes n WHERE n.sender = $1 AND n.routed_at IS NULL AND n.seq > r.seq)
FROM inbound_routes r JOIN messages m ON m.id = r.message_id
WHERE r.sender = $1 AND r.routed_at IS NULL
ORDER BY r.seq LIMIT 1
FOR UPDATE OF r;

-- name: RouteDone
UPDATE inbound_routes SET routed_at = now(), attempts = attempts + 1, last_error = '' WHERE seq = $1;

-- name: RouteRetry
UPDATE inbound_routes SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + make_interval(secs => $3::float8) WHERE seq = $1;

-- name: RoutesWaiting
-- How many replies wait to be routed, and for how long the oldest has.
SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
FROM inbound_routes WHERE routed_at IS NULL;
