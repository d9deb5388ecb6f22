package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Staff is a member of the care team carepath can page. Deactivated staff
// are kept (task history names them) but are never on call or found by
// their phone or email.
type Staff struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Phone     string    `json:"phone,omitempty"`
	Email     string    `json:"email,omitempty"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// StaffInsert stores a validated new staff member, active.
func (q *Queries) StaffInsert(ctx context.Context, s Staff) (Staff, error) {
	s.Active = true
	err := q.db.QueryRow(ctx, stmt("StaffInsert"), s.ID, s.Name, s.Role, s.Phone, s.Email).Scan(&s.CreatedAt)
	if err != nil {
		return Staff{}, fmt.Errorf("insert staff: %w", err)
	}
	return s, nil
}

// StaffGet returns one staff member, active or not, or ENOTFOUND.
func (q *Queries) StaffGet(ctx context.Context, id string) (Staff, error) {
	s, err := scanStaff(q.db.QueryRow(ctx, stmt("StaffGet"), id))
	return s, wrapErr("get staff", notFound(err, "staff"))
}

// StaffList returns up to limit staff, active first, by name; with
// inactive false the deactivated are left out.
func (q *Queries) StaffList(ctx context.Context, inactive bool, limit int) ([]Staff, error) {
	return q.staffRows(ctx, "list staff", stmt("StaffList"), inactive, limit)
}

// StaffChange is a partial update: nil leaves a field as it is; an empty
// Phone or Email clears it.
type StaffChange struct {
	Name, Role, Phone, Email *string
	Active                   *bool
}

// StaffUpdate applies c to a staff member and returns the result, or
// ENOTFOUND.
func (q *Queries) StaffUpdate(ctx context.Context, id string, c StaffChange) (Staff, error) {
	s, err := scanStaff(q.db.QueryRow(ctx, stmt("StaffUpdate"), id, c.Name, c.Role, c.Phone, c.Email, c.Active))
	return s, wrapErr("update staff", notFound(err, "staff"))
}

// StaffByPhone returns the active staff using a phone number (a shared
// on-call phone may be several), oldest first.
func (q *Queries) StaffByPhone(ctx context.Context, phone string) ([]Staff, error) {
	return q.staffRows(ctx, "staff by phone", stmt("StaffByPhone"), phone)
}

// StaffByEmail returns the active staff using an email address (compared
// case-insensitively), oldest first.
func (q *Queries) StaffByEmail(ctx context.Context, email string) ([]Staff, error) {
	return q.staffRows(ctx, "staff by email", stmt("StaffByEmail"), email)
}

func (q *Queries) staffRows(ctx context.Context, what, sql string, args ...any) ([]Staff, error) {
	rows, err := q.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []Staff{}
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, s)
	}
	return out, wrapErr(what, rows.Err())
}

func scanStaff(row pgx.Row) (Staff, error) {
	var s Staff
	err := row.Scan(&s.ID, &s.Name, &s.Role, &s.Phone, &s.Email, &s.Active, &s.CreatedAt)
	return s, err
}
