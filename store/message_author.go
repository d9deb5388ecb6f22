package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// MessageAuthorSet records who wrote an outbound message (a staff reply):
// an audit actor such as "user:<id>". The first author stands.
func (q *Queries) MessageAuthorSet(ctx context.Context, messageID, author string) error {
	_, err := q.db.Exec(ctx, stmt("MessageAuthorSet"), messageID, author)
	return wrapErr("record message author", err)
}

// MessageAuthor returns who wrote a message; empty: carepath's own, or no
// such message.
func (q *Queries) MessageAuthor(ctx context.Context, messageID string) (string, error) {
	var author string
	err := q.db.QueryRow(ctx, stmt("MessageAuthorGet"), messageID).Scan(&author)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return author, wrapErr("message author", err)
}
