package secret_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"maskline/secret"
)

func TestSealOpenRoundTrip(t *testing.T) {
	k, err := secret.New(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	plain := "+8613912345678"

	a, b := k.Seal(plain), k.Seal(plain)
	if a == b {
		t.Fatal("two seals of one number are equal: nonce reused")
	}
	if strings.Contains(a, "13912345678") {
		t.Fatalf("sealed value %q holds the number", a)
	}
	got, err := k.Open(a)
	if err != nil || got != plain {
		t.Fatalf("Open = %q, %v; want %q", got, err, plain)
	}
	if k.Seal("") != "" {
		t.Fatal("empty input must seal to empty")
	}
}

func TestIndex(t *testing.T) {
	k1, _ := secret.New(secret.Generate())
	k2, _ := secret.New(secret.Generate())
	n := "+8613912345678"

	if k1.Index(n) != k1.Index(n) {
		t.Fatal("index is not deterministic")
	}
	if k1.Index(n) == k1.Index("+8613912345679") {
		t.Fatal("different numbers share an index")
	}
	if k1.Index(n) == k2.Index(n) {
		t.Fatal("index does not depend on the key")
	}
	if k1.Index("") != "" {
		t.Fatal("empty input must index to empty")
	}
}

func TestOpenErrors(t *testing.T) {
	k, _ := secret.New(secret.Generate())
	other, _ := secret.New(secret.Generate())
	sealed := k.Seal("+8613912345678")
	tampered := sealed[:len(sealed)-2] + "AA"
	if tampered == sealed {
		tampered = sealed[:len(sealed)-2] + "BB"
	}

	cases := []struct {
		name string
		in   string
		want error
	}{
		{"no key id", "abcdef", secret.ErrCorrupt},
		{"unknown key id", "k9:" + strings.SplitN(sealed, ":", 2)[1], secret.ErrUnknownKey},
		{"not base64", "k1:!!!", secret.ErrCorrupt},
		{"too short", "k1:AAAA", secret.ErrCorrupt},
		{"tampered", tampered, secret.ErrCorrupt},
		{"other keyring, same id", other.Seal("+8613912345678"), secret.ErrCorrupt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := k.Open(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("Open error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	f := secret.Generate()
	old, _ := secret.New(f)
	sealed := old.Seal("+8613912345678")

	f.Keys["k2"] = secret.Generate().Keys["k1"]
	f.Current = "k2"
	rotated, err := secret.New(f)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(sealed); err != nil || got != "+8613912345678" {
		t.Fatalf("old value after rotation: %q, %v", got, err)
	}
	if !strings.HasPrefix(rotated.Seal("x"), "k2:") {
		t.Fatal("new values are not sealed with the current key")
	}
	if rotated.Index("+8613912345678") != old.Index("+8613912345678") {
		t.Fatal("rotating data keys changed the blind index")
	}
}

func TestLoadCreatesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "keys.json")

	k1, created, err := secret.Load(path, true)
	if err != nil || !created {
		t.Fatalf("first Load: created=%v err=%v", created, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, err %v; want 0600", info.Mode().Perm(), err)
	}
	k2, created, err := secret.Load(path, true)
	if err != nil || created {
		t.Fatalf("second Load: created=%v err=%v", created, err)
	}
	if k1.Index("+8613912345678") != k2.Index("+8613912345678") {
		t.Fatal("reloaded keyring differs")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, path string
	}{
		{"missing, no create", filepath.Join(dir, "absent.json")},
		{"not json", write("a.json", "{")},
		{"no current", write("b.json", `{"keys":{"k1":"`+secret.Generate().Keys["k1"]+`"}}`)},
		{"short key", write("c.json", `{"current":"k1","keys":{"k1":"AAAA"},"index":"AAAA"}`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := secret.Load(tc.path, false); err == nil {
				t.Fatal("Load succeeded, want an error")
			}
		})
	}
}
