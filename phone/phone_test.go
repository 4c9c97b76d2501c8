package phone_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"maskline/phone"
)

func TestParse(t *testing.T) {
	good := []struct {
		name, in, region, want string
	}{
		{"e164 mobile", "+8613812345678", "CN", "+8613812345678"},
		{"national mobile", "13812345678", "CN", "+8613812345678"},
		{"country code without plus", "8613812345678", "CN", "+8613812345678"},
		{"international prefix", "008613812345678", "CN", "+8613812345678"},
		{"spaces and dashes", " 138-1234 5678 ", "CN", "+8613812345678"},
		{"fixed line with trunk zero", "01062345678", "CN", "+861062345678"},
		{"other region e164", "+14155552671", "CN", "+14155552671"},
		{"lower-case region", "13812345678", "cn", "+8613812345678"},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			got, err := phone.Parse(tc.in, tc.region)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if got.E164() != tc.want {
				t.Fatalf("Parse(%q) = %s, want %s", tc.in, got.E164(), tc.want)
			}
		})
	}

	bad := []struct{ name, in string }{
		{"empty", ""},
		{"letters", "abcdefghijk"},
		{"too short", "1381234"},
		{"too long", "+86138123456789012345"},
		{"invalid range", "+8612345678901"},
		{"star extension", "13812345678*12"},
		{"unknown country", "+99912345678"},
		{"huge input", strings.Repeat("1", 100)},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := phone.Parse(tc.in, "CN")
			if !errors.Is(err, phone.ErrInvalid) {
				t.Fatalf("Parse(%q) error = %v, want ErrInvalid", tc.in, err)
			}
			if tc.in != "" && len(tc.in) > 6 && strings.Contains(err.Error(), tc.in) {
				t.Fatalf("error %q repeats the input", err)
			}
		})
	}
}

func TestMasking(t *testing.T) {
	n := phone.MustParse("13812345678", "CN")
	cases := []struct {
		name, got, want string
	}{
		{"Masked", n.Masked(), "138****5678"},
		{"String", n.String(), "138****5678"},
		{"Sprintf %v", fmt.Sprintf("%v", n), "138****5678"},
		{"Sprintf %s", fmt.Sprintf("%s", n), "138****5678"},
		{"National", n.National(), "13812345678"},
		{"E164", n.E164(), "+8613812345678"},
		{"Mask short", phone.Mask("12345"), "***45"},
		{"Mask tiny", phone.Mask("12"), "**"},
		{"Mask fixed line", phone.Mask("1062345678"), "106***5678"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestLogValueMasks(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	n := phone.MustParse("+8613812345678", "CN")
	log.Info("call", "party", n, "group", slog.GroupValue(slog.Any("other", n)))

	if strings.Contains(buf.String(), "12345678") {
		t.Fatalf("log holds the full number: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "138****5678") {
		t.Fatalf("log lacks the masked number: %s", buf.String())
	}
}

func TestParseVirtual(t *testing.T) {
	cases := []struct {
		in, want, kind string
	}{
		{"17012345678", "+8617012345678", "mobile"},
		{"16512345678", "+8616512345678", "mobile"},
		{"01062345678", "+861062345678", "fixed"},
		{"95017", "+8695017", "95"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := phone.ParseVirtual(tc.in, "CN")
			if err != nil {
				t.Fatalf("ParseVirtual(%q): %v", tc.in, err)
			}
			if got.E164() != tc.want || got.Kind() != tc.kind {
				t.Fatalf("got %s (%s), want %s (%s)", got.E164(), got.Kind(), tc.want, tc.kind)
			}
		})
	}
	for _, in := range []string{"", "12", "abc", "170*1234"} {
		if _, err := phone.ParseVirtual(in, "CN"); !errors.Is(err, phone.ErrInvalid) {
			t.Errorf("ParseVirtual(%q) error = %v, want ErrInvalid", in, err)
		}
	}
}

// FuzzParse checks that parsing never panics, that what it accepts is a
// canonical E.164 number that parses to itself, and that the masked form
// never shows the whole national number.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"13812345678", "+8613812345678", "8613812345678",
		"010-6234 5678", "+1 415 555 2671", "", "+", "00", "*#", "１３８１２３４５６７８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := phone.Parse(in, "CN")
		if err != nil {
			if !errors.Is(err, phone.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if !strings.HasPrefix(n.E164(), "+") {
			t.Fatalf("Parse(%q) = %q, not E.164", in, n.E164())
		}
		again, err := phone.Parse(n.E164(), "CN")
		if err != nil || again != n {
			t.Fatalf("re-parse of %q gave %q, %v", n.E164(), again, err)
		}
		if nat := n.National(); len(nat) >= 8 && strings.Contains(n.String(), nat) {
			t.Fatalf("String() %q shows the whole number", n.String())
		}
	})
}
