package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// The start's lane hint: email for a patient who prefers it or has no
// phone, SMS otherwise; a missing patient is not found.
func TestPatientChannelHint(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	insert := func(phone, email string, preferred carepath.Channel) string {
		t.Helper()
		np := carepath.NewPatient{GivenName: "Ada", FamilyName: "Lovelace", BirthDate: "1970-01-02", Phone: phone,
			Email: email, PreferredChannel: preferred, Timezone: "America/New_York"}
		if err := np.Validate(); err != nil {
			t.Fatal(err)
		}
		p, err := q.PatientInsert(ctx, uuid.NewString(), np)
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	for _, tc := range []struct {
		name string
		id   string
		want carepath.Channel
	}{
		{"sms", insert("+15550002001", "", carepath.ChannelSMS), carepath.ChannelSMS},
		{"prefers email", insert("+15550002002", "ada@example.org", carepath.ChannelEmail), carepath.ChannelEmail},
		{"email only", insert("", "ada2@example.org", carepath.ChannelEmail), carepath.ChannelEmail},
	} {
		got, err := q.PatientChannelHint(ctx, tc.id)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := q.PatientChannelHint(ctx, uuid.NewString()); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("missing patient: got %v, want not_found", err)
	}
}
