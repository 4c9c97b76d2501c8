package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// shipped is the example configuration the repository ships.
const shipped = "../configs/broker.yaml"

func TestShippedFileEqualsDefault(t *testing.T) {
	cfg, err := Load(shipped, nil)
	require.NoError(t, err)
	assert.Equal(t, Default(), cfg)
}

func TestDefaultIsValid(t *testing.T) {
	require.NoError(t, Default().Validate())
}

// TestShippedFileDocumentsEveryKey walks the struct, so a key added to
// Config without an entry and a comment in the shipped file fails here.
func TestShippedFileDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile(shipped)
	require.NoError(t, err)

	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(data, &doc))
	require.NotEmpty(t, doc.Content)

	for _, f := range fields() {
		t.Run(f.Path, func(t *testing.T) {
			key := findKey(doc.Content[0], strings.Split(f.Path, "."))
			require.NotNil(t, key, "key missing from %s", shipped)

			comment := key.HeadComment + key.LineComment
			assert.Contains(t, comment, "Default:", "key has no comment giving its default")
		})
	}
}

// findKey returns the key node at path in a mapping, or nil.
func findKey(n *yaml.Node, path []string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != path[0] {
			continue
		}
		if len(path) == 1 {
			return n.Content[i]
		}
		return findKey(n.Content[i+1], path[1:])
	}
	return nil
}

func TestFieldsCoverEveryLeaf(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range fields() {
		assert.False(t, seen[f.EnvName()], "two keys share %s", f.EnvName())
		seen[f.EnvName()] = true
	}

	// Spot checks of the names the product documents.
	for _, name := range []string{
		"BROKER_DATA_DIR", "BROKER_STORE_DSN", "BROKER_SIP_LISTEN",
		"BROKER_SIP_NUMBER_FORMAT", "BROKER_MEDIA_PORTS", "BROKER_REGION",
		"BROKER_POOL_MAX_EXTENSIONS_PER_NUMBER", "BROKER_LOG_FORMAT",
	} {
		assert.True(t, seen[name], name)
	}
	assert.Len(t, seen, 42, "leaf keys of Config")
}

func TestLoadYAML(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want func(*Config) // applied to Default() to give the expected result
	}{
		{"empty file", "", func(*Config) {}},
		{"comments only", "# nothing set\n", func(*Config) {}},
		{"top-level string", "region: GB\n", func(c *Config) { c.Region = "GB" }},
		{"bool", "demo: true\n", func(c *Config) { c.Demo = true }},
		{"int", "pool:\n  max_pairs_per_number: 7\n",
			func(c *Config) { c.Pool.MaxPairsPerNumber = 7 }},
		{"float", "http:\n  rate_limit: 2.5\n", func(c *Config) { c.HTTP.RateLimit = 2.5 }},
		{"duration", "sip:\n  ring_timeout: 1m30s\n",
			func(c *Config) { c.SIP.RingTimeout = 90 * time.Second }},
		{"list as sequence", "sip:\n  trusted: [10.0.0.0/8, 192.0.2.7/32]\n",
			func(c *Config) { c.SIP.Trusted = []string{"10.0.0.0/8", "192.0.2.7/32"} }},
		{"list as comma string", "sip:\n  trusted: 10.0.0.0/8, 192.0.2.7/32\n",
			func(c *Config) { c.SIP.Trusted = []string{"10.0.0.0/8", "192.0.2.7/32"} }},
		{"null string clears it", "sip:\n  listen: 127.0.0.2:5060\nnode:\n",
			func(c *Config) { c.SIP.Listen = "127.0.0.2:5060" }},
		{"empty section keeps defaults", "sip:\nlog:\n  level: debug\n",
			func(c *Config) { c.Log.Level = "debug" }},
		{"alias", "data_dir: &d /srv/broker\nkeys:\n  file: *d\n", func(c *Config) {
			c.DataDir, c.Keys.File = "/srv/broker", "/srv/broker"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(writeFile(t, tt.yaml), nil)
			require.NoError(t, err)

			want := Default()
			tt.want(&want)
			assert.Equal(t, want, got)
		})
	}
}

func TestLoadYAMLBad(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		key  string // the key the error must name
		text string // and a part of its message
	}{
		{"unknown top-level key", "regoin: CN\n", "regoin", "unknown key"},
		{"unknown nested key", "sip:\n  listne: 127.0.0.1:5060\n", "sip.listne", "unknown key"},
		{"unknown section", "sips:\n  listen: x\n", "sips", "unknown key"},
		{"key twice", "region: CN\nregion: GB\n", "region", "twice"},
		{"empty key", "\"\": 1\n", `""`, "plain key"},
		{"nested empty key", "sip:\n  ? \n", `sip.""`, "plain key"},
		{"bare number as duration", "sip:\n  ring_timeout: 60\n", "sip.ring_timeout",
			"duration"},
		{"word as duration", "cron:\n  expire_every: often\n", "cron.expire_every",
			"duration"},
		{"word as bool", "demo: yes please\n", "demo", "true or false"},
		{"fraction as int", "binding:\n  extension_length: 3.5\n",
			"binding.extension_length", "whole number"},
		{"word as float", "http:\n  rate_limit: fast\n", "http.rate_limit", "number"},
		{"null int", "calls:\n  max_attempts:\n", "calls.max_attempts", "empty"},
		{"section as scalar", "sip: 127.0.0.1:5060\n", "sip", "mapping"},
		{"list for a scalar", "region: [CN, GB]\n", "region", "single value"},
		{"mapping in a list", "sip:\n  trusted:\n    - {a: b}\n", "sip.trusted", "list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tt.yaml), nil)
			requireProblem(t, err, tt.key, tt.text)
		})
	}
}

func TestLoadReportsEveryFileProblem(t *testing.T) {
	path := writeFile(t, "regoin: CN\nsip:\n  ring_timeout: 5\n  trace: maybe\n")

	_, err := Load(path, nil)

	var cerr *Error
	require.ErrorAs(t, err, &cerr)
	assert.Len(t, cerr.Problems, 3, err.Error())
	assert.Contains(t, err.Error(), "line 1")
}

func TestLoadSyntaxAndMissingFile(t *testing.T) {
	_, err := Load(writeFile(t, "sip: [\n"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "parse config")

	_, err = Load(filepath.Join(t.TempDir(), "absent.yaml"), nil)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadValidates(t *testing.T) {
	_, err := Load(writeFile(t, "media:\n  ports: 30000-20000\n"), nil)
	requireProblem(t, err, "media.ports", "inverted")
}

// writeFile writes a configuration file in a fresh directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "broker.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// requireProblem fails unless err is an *Error with a problem about key
// whose message contains text.
func requireProblem(t *testing.T, err error, key, text string) {
	t.Helper()
	var cerr *Error
	require.True(t, errors.As(err, &cerr), "want *config.Error, got %v", err)
	for _, p := range cerr.Problems {
		if p.Key == key && strings.Contains(p.Message, text) {
			return
		}
	}
	t.Fatalf("no problem about %s containing %q in: %v", key, text, err)
}
