package sip

import (
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.Listen != DefaultListen || c.Trunk != DefaultTrunk || c.NumberFormat != FormatE164 ||
		c.RingTimeout != 60*time.Second || c.MaxDuration != 2*time.Hour ||
		c.MediaIP != "127.0.0.1" || c.Region != "CN" || len(c.Trusted) != 2 {
		t.Errorf("defaults: %+v", c)
	}
	if _, err := c.validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Config)
		ok    bool
		trunk trunk
	}{
		{"trunk over tcp", func(c *Config) { c.TrunkTransport = "TCP" }, true,
			trunk{"127.0.0.1", 5080, "TCP"}},
		{"transport in the trunk",
			func(c *Config) { c.Trunk = "sbc.example.com:5060;transport=tls" },
			true, trunk{"sbc.example.com", 5060, "TLS"}},
		{"national format", func(c *Config) { c.NumberFormat = "National" }, true,
			trunk{"127.0.0.1", 5080, "UDP"}},
		{"unknown format", func(c *Config) { c.NumberFormat = "local" }, false, trunk{}},
		{"trunk without port", func(c *Config) { c.Trunk = "sbc.example.com" }, false, trunk{}},
		{"trunk port zero", func(c *Config) { c.Trunk = "10.0.0.1:0" }, false, trunk{}},
		{"unknown trunk transport", func(c *Config) { c.TrunkTransport = "sctp" }, false, trunk{}},
		{"unknown trunk parameter", func(c *Config) { c.Trunk = "10.0.0.1:5060;lr" },
			false, trunk{}},
		{"media ip not an address", func(c *Config) { c.MediaIP = "media.local" }, false, trunk{}},
		{"certificate without key", func(c *Config) { c.CertFile = "c.pem" }, false, trunk{}},
		{"certificate without address", func(c *Config) { c.CertFile, c.KeyFile = "c", "k" },
			false, trunk{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{}
			tc.edit(&c)
			tr, err := c.withDefaults().validate()
			if (err == nil) != tc.ok {
				t.Fatalf("validate: %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && tr != tc.trunk {
				t.Errorf("trunk %+v, want %+v", tr, tc.trunk)
			}
		})
	}
}
