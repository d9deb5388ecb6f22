package codec_test

import (
	"bytes"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/carepath/carepath/codec"
)

func keyring(t *testing.T, ids ...string) (*codec.Keyring, []string) {
	t.Helper()
	var lines []string
	for _, id := range ids {
		l, err := codec.NewKeyLine(id)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	k, err := codec.ParseKeys(strings.Join(lines, ","))
	if err != nil {
		t.Fatal(err)
	}
	return k, lines
}

func TestRoundTripHidesPlaintext(t *testing.T) {
	k, _ := keyring(t, "k1")
	dc, _ := codec.Converters(k)
	p, err := dc.ToPayload(map[string]string{"phone": "+15550001234", "name": "Canary McCanaryface"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("Canary")) || bytes.Contains(p.Data, []byte("+1555")) {
		t.Fatal("encrypted payload contains plaintext")
	}
	if string(p.Metadata["encoding"]) != codec.EncodingEncrypted || string(p.Metadata["encryption-key-id"]) != "k1" {
		t.Fatalf("metadata %v", p.Metadata)
	}
	var back map[string]string
	if err := dc.FromPayload(p, &back); err != nil || back["name"] != "Canary McCanaryface" {
		t.Fatalf("round trip: %v %v", back, err)
	}
}

func TestRotation(t *testing.T) {
	old, oldLines := keyring(t, "2025")
	dcOld, _ := codec.Converters(old)
	p, err := dcOld.ToPayload("written under the old key")
	if err != nil {
		t.Fatal(err)
	}
	newLine, err := codec.NewKeyLine("2026")
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := codec.ParseKeys(newLine + "\n" + oldLines[0])
	if err != nil {
		t.Fatal(err)
	}
	if rotated.ActiveKeyID() != "2026" {
		t.Fatalf("active key %s", rotated.ActiveKeyID())
	}
	dcNew, _ := codec.Converters(rotated)
	var s string
	if err := dcNew.FromPayload(p, &s); err != nil || s != "written under the old key" {
		t.Fatalf("old payload after rotation: %q %v", s, err)
	}
	p2, err := dcNew.ToPayload("new")
	if err != nil {
		t.Fatal(err)
	}
	if string(p2.Metadata["encryption-key-id"]) != "2026" {
		t.Fatal("new payloads not written with the new key")
	}
	// A keyring that lost the old key refuses rather than returning garbage.
	onlyNew, err := codec.ParseKeys(newLine)
	if err != nil {
		t.Fatal(err)
	}
	dcOnly, _ := codec.Converters(onlyNew)
	if err := dcOnly.FromPayload(p, &s); err == nil {
		t.Fatal("decrypted without the key")
	}
}

func TestTamperedPayloadRejected(t *testing.T) {
	k, _ := keyring(t, "k1")
	c := codec.New(k)
	enc, err := c.Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"x"`)}})
	if err != nil {
		t.Fatal(err)
	}
	enc[0].Data[len(enc[0].Data)-1] ^= 1
	if _, err := c.Decode(enc); err == nil {
		t.Fatal("tampered payload decrypted")
	}
}

func TestFailureMessagesEncoded(t *testing.T) {
	k, _ := keyring(t, "k1")
	_, fc := codec.Converters(k)
	f := fc.ErrorToFailure(&testErr{"patient Canary McCanaryface +15550001234 failed"})
	if strings.Contains(f.GetMessage(), "Canary") || strings.Contains(f.GetStackTrace(), "Canary") {
		t.Fatalf("failure message in plain text: %q", f.GetMessage())
	}
	if f.GetEncodedAttributes() == nil {
		t.Fatal("no encoded attributes")
	}
	back := fc.FailureToError(f)
	if !strings.Contains(back.Error(), "Canary McCanaryface") {
		t.Fatalf("decoded failure lost its message: %v", back)
	}
}

type testErr struct{ s string }

func (e *testErr) Error() string { return e.s }

func TestParseKeysRejectsBadInput(t *testing.T) {
	for _, spec := range []string{"", "k1", "k1:notbase64!", "k1:" + strings.Repeat("A", 8), "bad id:AAAA", "k1:" + validB64() + ",k1:" + validB64()} {
		if _, err := codec.ParseKeys(spec); err == nil {
			t.Errorf("ParseKeys(%q) accepted", spec)
		} else if strings.Contains(err.Error(), validB64()) {
			t.Errorf("error leaks key material: %v", err)
		}
	}
}

func validB64() string { return "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }

var _ converter.PayloadCodec = (*codec.Codec)(nil)
