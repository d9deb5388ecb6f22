package engine

import (
	"context"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// Staff field limits.
const (
	maxStaffName = 200
	maxStaffRole = 64
)

// NewStaff is what a caller sends to add a staff member.
type NewStaff struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// StaffPatch changes a staff member; a field left out stays as it is, an
// empty phone or email clears it (one of the two must remain).
type StaffPatch struct {
	Name   *string `json:"name"`
	Role   *string `json:"role"`
	Phone  *string `json:"phone"`
	Email  *string `json:"email"`
	Active *bool   `json:"active"`
}

// validText trims s and checks it is present, at most most bytes and free
// of control characters.
func validText(field, s string, most int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > most || strings.ContainsFunc(s, unicode.IsControl) {
		return "", carepath.Invalid(field, "is required (at most %d characters, no control characters)", most)
	}
	return s, nil
}

// validContact checks a staff member's phone and email: either may be
// empty, not both (a page needs somewhere to go).
func validContact(phone, email string) error {
	if phone != "" && !carepath.ValidPhone(phone) {
		return carepath.Invalid("phone", "must be in E.164 form, e.g. +15551234567")
	}
	if email != "" && !carepath.ValidEmail(email) {
		return carepath.Invalid("email", "must be a valid email address")
	}
	if phone == "" && email == "" {
		return carepath.Invalid("phone", "a phone or an email is required")
	}
	return nil
}

// CreateStaff validates and stores a new, active staff member.
func (e *Engine) CreateStaff(ctx context.Context, a carepath.Actor, in NewStaff) (store.Staff, error) {
	name, err := validText("name", in.Name, maxStaffName)
	if err != nil {
		return store.Staff{}, err
	}
	role, err := validText("role", in.Role, maxStaffRole)
	if err != nil {
		return store.Staff{}, err
	}
	phone, email := strings.TrimSpace(in.Phone), strings.TrimSpace(in.Email)
	if err := validContact(phone, email); err != nil {
		return store.Staff{}, err
	}
	var s store.Staff
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if s, err = q.StaffInsert(ctx, store.Staff{ID: uuid.NewString(), Name: name, Role: role, Phone: phone, Email: email}); err != nil {
			return err
		}
		return audit(ctx, q, a, "staff.create", "", "staff/"+s.ID)
	})
	return s, err
}

// GetStaff returns a staff member, active or not, or ENOTFOUND.
func (e *Engine) GetStaff(ctx context.Context, a carepath.Actor, id string) (store.Staff, error) {
	if err := validID(id, "staff"); err != nil {
		return store.Staff{}, err
	}
	var s store.Staff
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if s, err = q.StaffGet(ctx, id); err != nil {
			return err
		}
		return audit(ctx, q, a, "staff.read", "", "staff/"+id)
	})
	return s, err
}

// ListStaff returns staff by name, the active only unless inactive.
func (e *Engine) ListStaff(ctx context.Context, a carepath.Actor, inactive bool, limit int) ([]store.Staff, error) {
	var out []store.Staff
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out, err = q.StaffList(ctx, inactive, limit); err != nil {
			return err
		}
		return audit(ctx, q, a, "staff.list", "", "staff")
	})
	return out, err
}

// UpdateStaff applies a partial change to a staff member.
func (e *Engine) UpdateStaff(ctx context.Context, a carepath.Actor, id string, in StaffPatch) (store.Staff, error) {
	if err := validID(id, "staff"); err != nil {
		return store.Staff{}, err
	}
	if in.Name == nil && in.Role == nil && in.Phone == nil && in.Email == nil && in.Active == nil {
		return store.Staff{}, carepath.Invalid("body", "give at least one of: name, role, phone, email, active")
	}
	var c store.StaffChange
	if in.Name != nil {
		name, err := validText("name", *in.Name, maxStaffName)
		if err != nil {
			return store.Staff{}, err
		}
		c.Name = &name
	}
	if in.Role != nil {
		role, err := validText("role", *in.Role, maxStaffRole)
		if err != nil {
			return store.Staff{}, err
		}
		c.Role = &role
	}
	trim := func(p *string) *string {
		if p == nil {
			return nil
		}
		s := strings.TrimSpace(*p)
		return &s
	}
	c.Phone, c.Email, c.Active = trim(in.Phone), trim(in.Email), in.Active
	return e.changeStaff(ctx, a, id, "staff.update", c)
}

// DeactivateStaff takes a staff member off the roster's chain and out of
// reply matching; the record stays, so history still names them.
// Deactivating twice is a no-op.
func (e *Engine) DeactivateStaff(ctx context.Context, a carepath.Actor, id string) (store.Staff, error) {
	if err := validID(id, "staff"); err != nil {
		return store.Staff{}, err
	}
	off := false
	return e.changeStaff(ctx, a, id, "staff.deactivate", store.StaffChange{Active: &off})
}

// changeStaff applies c in one transaction, checking that the result
// still has a phone or an email.
func (e *Engine) changeStaff(ctx context.Context, a carepath.Actor, id, action string, c store.StaffChange) (store.Staff, error) {
	var s store.Staff
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		cur, err := q.StaffGet(ctx, id)
		if err != nil {
			return err
		}
		phone, email := cur.Phone, cur.Email
		if c.Phone != nil {
			phone = *c.Phone
		}
		if c.Email != nil {
			email = *c.Email
		}
		if c.Phone != nil || c.Email != nil {
			if err := validContact(phone, email); err != nil {
				return err
			}
		}
		if s, err = q.StaffUpdate(ctx, id, c); err != nil {
			return err
		}
		return audit(ctx, q, a, action, "", "staff/"+id)
	})
	return s, err
}
