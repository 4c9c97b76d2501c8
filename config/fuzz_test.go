package config

import (
	"errors"
	"os"
	"testing"
)

// FuzzDecodeYAML feeds arbitrary files to the decoder: it must never panic,
// and whatever it rejects for its content must come as an *Error naming
// keys, not as a bare failure.
func FuzzDecodeYAML(f *testing.F) {
	shippedFile, err := os.ReadFile(shipped)
	if err != nil {
		f.Fatalf("read %s: %v", shipped, err)
	}
	f.Add(shippedFile)
	f.Add([]byte("sip:\n  trusted: [10.0.0.0/8, &a 1]\n  listen: *a\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("?"))
	f.Add([]byte("binding: {extension_length: 9, min_ttl: 1h, max_ttl: 1m}\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Default()
		err := decodeYAML(data, &cfg)
		if err == nil {
			_ = cfg.Validate()
			return
		}

		var cerr *Error
		if errors.As(err, &cerr) {
			for _, p := range cerr.Problems {
				if p.Key == "" || p.Message == "" {
					t.Fatalf("problem without key or message: %+v", p)
				}
			}
		}
	})
}
