package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/carepath/carepath/store"
)

func TestAuditKeysDerivedAndExplicit(t *testing.T) {
	const enc = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,k0:" + "HxwdHh8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRo="
	derived, err := store.DeriveAuditKeys(enc)
	if err != nil || !slices.Equal(derived.IDs(), []string{"enc.k1", "enc.k0"}) || derived.Active() != "enc.k1" {
		t.Fatalf("derived: %v %v", derived.IDs(), err)
	}
	explicit, err := store.ParseAuditKeys("audit1:" + strings.Split(strings.Split(enc, ",")[0], ":")[1])
	if err != nil {
		t.Fatal(err)
	}
	both, err := explicit.With(derived)
	if err != nil || !slices.Equal(both.IDs(), []string{"audit1", "enc.k1", "enc.k0"}) || both.Active() != "audit1" {
		t.Fatalf("explicit first, derived still verify: %v %v", both.IDs(), err)
	}
	if _, err := explicit.With(explicit); err == nil {
		t.Error("a key listed twice is accepted")
	}
	var none *store.AuditKeys
	if none.Active() != store.BuiltinAuditKeyID {
		t.Errorf("no keys write under %q", none.Active())
	}
	for _, bad := range []string{"", "k1", "k1:short", "bad id:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="} {
		if _, err := store.ParseAuditKeys(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
