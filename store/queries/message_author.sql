-- name: MessageAuthorSet
-- Who wrote an outbound message; set once (a retried send writes the same).
UPDATE messages SET author = $2 WHERE id = $1 AND author IS NULL;

-- name: MessageAuthorGet
SELECT coalesce(author, '') FROM messages WHERE id = $1;
