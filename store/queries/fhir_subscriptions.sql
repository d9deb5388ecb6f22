-- name: FHIRSubscriptionUpsert
-- A notification names its subscription: remember it (status and topic
-- as last sent) and lock it for the transaction, so notifications of one
-- subscription are counted one at a time. Returns the highest event
-- number seen so far.
INSERT INTO fhir_subscriptions (subscription, topic, status) VALUES ($1, $2, $3)
ON CONFLICT (subscription) DO UPDATE SET
    topic = CASE WHEN EXCLUDED.topic <> '' THEN EXCLUDED.topic ELSE fhir_subscriptions.topic END,
    status = CASE WHEN EXCLUDED.status <> '' THEN EXCLUDED.status ELSE fhir_subscriptions.status END,
    updated_at = now()
RETURNING last_event_number;

-- name: FHIRSubscriptionHeartbeat
UPDATE fhir_subscriptions SET last_heartbeat_at = now() WHERE subscription = $1;

-- name: FHIRSubscriptionEventsApplied
-- Which of the given event numbers were applied before.
SELECT event_number FROM fhir_subscription_events WHERE subscription = $1 AND event_number = ANY($2::bigint[]);

-- name: FHIRSubscriptionEventInsert
INSERT INTO fhir_subscription_events (subscription, event_number) VALUES ($1, $2)
ON CONFLICT DO NOTHING;

-- name: FHIRSubscriptionEventsMissing
-- How many numbers from $2 to $3 (inclusive) were never applied.
SELECT count(*) FROM generate_series($2::bigint, $3::bigint) n
WHERE NOT EXISTS (SELECT 1 FROM fhir_subscription_events e WHERE e.subscription = $1 AND e.event_number = n);

-- name: FHIRSubscriptionAdvance
-- Keep the highest event number seen and count newly found gaps.
UPDATE fhir_subscriptions SET last_event_number = greatest(last_event_number, $2), gaps = gaps + $3,
    last_event_at = CASE WHEN $4 THEN now() ELSE last_event_at END, updated_at = now()
WHERE subscription = $1;

-- name: FHIRSubscriptionGet
SELECT subscription, topic, status, last_event_number, gaps, last_heartbeat_at, last_event_at
FROM fhir_subscriptions WHERE subscription = $1;
