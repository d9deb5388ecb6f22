package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func newStaff(t *testing.T, q *store.Queries, name, phone, email string) store.Staff {
	t.Helper()
	s, err := q.StaffInsert(context.Background(), store.Staff{ID: uuid.NewString(), Name: name, Role: "nurse", Phone: phone, Email: email})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStaffRoundTripAndLookups(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	a := newStaff(t, q, "Grace", "+15557770001", "Grace@Example.org")
	b := newStaff(t, q, "Alan", "+15557770001", "")
	got, err := q.StaffGet(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Grace" || got.Role != "nurse" || got.Phone != "+15557770001" || got.Email != "Grace@Example.org" || !got.Active || got.CreatedAt.IsZero() {
		t.Fatalf("round trip: %+v", got)
	}
	if _, err := q.StaffGet(ctx, uuid.NewString()); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("missing staff: %v", err)
	}
	byPhone, err := q.StaffByPhone(ctx, "+15557770001")
	// Both (one transaction: same creation time, so by ID).
	if err != nil || len(byPhone) != 2 || byPhone[0].ID == byPhone[1].ID || (byPhone[0].ID != a.ID && byPhone[0].ID != b.ID) || (byPhone[1].ID != a.ID && byPhone[1].ID != b.ID) {
		t.Fatalf("by phone: %+v %v", byPhone, err)
	}
	byEmail, err := q.StaffByEmail(ctx, "grace@EXAMPLE.org")
	if err != nil || len(byEmail) != 1 || byEmail[0].ID != a.ID {
		t.Fatalf("by email (case-insensitive): %+v %v", byEmail, err)
	}

	// Deactivated: kept, but found by neither phone nor email.
	off := false
	if _, err := q.StaffUpdate(ctx, a.ID, store.StaffChange{Active: &off}); err != nil {
		t.Fatal(err)
	}
	if byPhone, err = q.StaffByPhone(ctx, "+15557770001"); err != nil || len(byPhone) != 1 || byPhone[0].ID != b.ID {
		t.Fatalf("by phone after deactivation: %+v %v", byPhone, err)
	}
	if byEmail, err = q.StaffByEmail(ctx, "grace@example.org"); err != nil || len(byEmail) != 0 {
		t.Fatalf("by email after deactivation: %+v %v", byEmail, err)
	}
	if got, err = q.StaffGet(ctx, a.ID); err != nil || got.Active {
		t.Fatalf("deactivated staff: %+v %v", got, err)
	}

	// A partial update changes only what it names; "" clears a contact.
	name, empty := "Alan T.", ""
	got, err = q.StaffUpdate(ctx, b.ID, store.StaffChange{Name: &name, Email: &empty})
	if err != nil || got.Name != "Alan T." || got.Phone != "+15557770001" || got.Role != "nurse" || got.Email != "" {
		t.Fatalf("partial update: %+v %v", got, err)
	}
	if _, err := q.StaffUpdate(ctx, uuid.NewString(), store.StaffChange{Name: &name}); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("update missing staff: %v", err)
	}
	list, err := q.StaffList(ctx, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.ID == a.ID {
			t.Fatal("active-only list shows deactivated staff")
		}
	}
	all, err := q.StaffList(ctx, true, 100)
	if err != nil || len(all) != len(list)+1 {
		t.Fatalf("list with inactive: %d vs %d active (%v)", len(all), len(list), err)
	}
}
