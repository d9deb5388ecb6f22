-- name: ProviderEventSeen
INSERT INTO provider_events (provider, event_key) VALUES ($1, $2) ON CONFLICT DO NOTHING;
