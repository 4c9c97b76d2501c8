package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnvOverrides(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want func(*Config) // applied to Default() to give the expected result
	}{
		{"string", []string{"BROKER_SIP_LISTEN=127.0.0.2:5070"},
			func(c *Config) { c.SIP.Listen = "127.0.0.2:5070" }},
		{"string with underscore in key", []string{"BROKER_SIP_NUMBER_FORMAT=national"},
			func(c *Config) { c.SIP.NumberFormat = "national" }},
		{"top-level string", []string{"BROKER_DATA_DIR=/srv/broker"},
			func(c *Config) { c.DataDir = "/srv/broker" }},
		{"empty string", []string{"BROKER_NODE="}, func(*Config) {}},
		{"dsn keeps its equals signs", []string{
			"BROKER_STORE_DSN=mysql://u:p=w@tcp(127.0.0.1:3306)/test?parseTime=true"},
			func(c *Config) {
				c.Store.DSN = "mysql://u:p=w@tcp(127.0.0.1:3306)/test?parseTime=true"
			}},
		{"bool", []string{"BROKER_DEMO=true", "BROKER_STORE_MIGRATE=0"},
			func(c *Config) { c.Demo, c.Store.Migrate = true, false }},
		{"int", []string{"BROKER_BINDING_EXTENSION_LENGTH=3"},
			func(c *Config) { c.Binding.ExtensionLength = 3 }},
		{"float", []string{"BROKER_HTTP_RATE_LIMIT=0.5"},
			func(c *Config) { c.HTTP.RateLimit = 0.5 }},
		{"duration", []string{"BROKER_SIP_RING_TIMEOUT=45s"},
			func(c *Config) { c.SIP.RingTimeout = 45 * time.Second }},
		{"list", []string{"BROKER_SIP_TRUSTED=10.0.0.0/8, 192.0.2.7/32,"},
			func(c *Config) { c.SIP.Trusted = []string{"10.0.0.0/8", "192.0.2.7/32"} }},
		{"later entry wins", []string{"BROKER_REGION=GB", "BROKER_REGION=US"},
			func(c *Config) { c.Region = "US" }},
		{"unrelated variables ignored", []string{
			"BROKER_NO_SUCH_KEY=1", "SIP_LISTEN=x", "broker_sip_listen=x", "PATH=/bin"},
			func(*Config) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load("", tt.env)
			require.NoError(t, err)

			want := Default()
			tt.want(&want)
			assert.Equal(t, want, got)
		})
	}
}

func TestEnvOverridesBad(t *testing.T) {
	tests := []struct {
		name string
		env  string
		key  string
		text string
	}{
		{"bool", "BROKER_SIP_TRACE=sometimes", "BROKER_SIP_TRACE", "true or false"},
		{"int", "BROKER_CALLS_MAX_ATTEMPTS=three", "BROKER_CALLS_MAX_ATTEMPTS", "whole number"},
		{"float", "BROKER_HTTP_RATE_LIMIT=NaN", "BROKER_HTTP_RATE_LIMIT", "number"},
		{"duration", "BROKER_CRON_EXPIRE_EVERY=5", "BROKER_CRON_EXPIRE_EVERY", "duration"},
		{"empty duration", "BROKER_SHUTDOWN_GRACE=", "BROKER_SHUTDOWN_GRACE", "empty"},
		{"valid type, invalid value", "BROKER_LOG_LEVEL=loud", "log.level", "one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("", []string{tt.env})
			requireProblem(t, err, tt.key, tt.text)
		})
	}
}

func TestEnvWinsOverFile(t *testing.T) {
	path := writeFile(t, "sip:\n  listen: 127.0.0.2:5060\n  trace: true\n")

	cfg, err := Load(path, []string{"BROKER_SIP_LISTEN=127.0.0.3:5060"})
	require.NoError(t, err)

	assert.Equal(t, "127.0.0.3:5060", cfg.SIP.Listen, "environment over file")
	assert.True(t, cfg.SIP.Trace, "file over default")
}

func TestEnvReportsEveryBadVariable(t *testing.T) {
	_, err := Load("", []string{"BROKER_DEMO=maybe", "BROKER_POOL_MAX_PAIRS_PER_NUMBER=x"})

	requireProblem(t, err, "BROKER_DEMO", "true or false")
	requireProblem(t, err, "BROKER_POOL_MAX_PAIRS_PER_NUMBER", "whole number")
}
