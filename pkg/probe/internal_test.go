package probe

import (
	"crypto/tls"
	"testing"
	"time"
)

func TestCipherProblem(t *testing.T) {
	tests := map[string]string{
		"TLS_AES_128_GCM_SHA256":                        "",
		"TLS_CHACHA20_POLY1305_SHA256":                  "",
		"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384":         "",
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "",
		"TLS_ECDHE_RSA_WITH_RC4_128_SHA":                "RC4",
		"TLS_RSA_WITH_3DES_EDE_CBC_SHA":                 "3DES",
		"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA":          "CBC",
		"TLS_RSA_WITH_AES_128_GCM_SHA256":               "non-ECDHE key exchange",
	}
	for name, want := range tests {
		if got := cipherProblem(name); got != want {
			t.Errorf("cipherProblem(%s): got %q, want %q", name, got, want)
		}
	}
}

// TestWeakSuites checks that the weak-suite handshake offers no acceptable
// suite and at least the CBC and RSA key-exchange ones.
func TestWeakSuites(t *testing.T) {
	offered := map[uint16]bool{}
	for _, id := range weakSuites() {
		if p := cipherProblem(tls.CipherSuiteName(id)); p == "" {
			t.Errorf("weakSuites offers the acceptable %s", tls.CipherSuiteName(id))
		}
		offered[id] = true
	}
	for _, id := range []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA} {
		if !offered[id] {
			t.Errorf("weakSuites: %s missing", tls.CipherSuiteName(id))
		}
	}
}

func TestDays(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int
	}{
		{0, 0},
		{36 * time.Hour, 1},
		{-time.Hour, -1},
		{-24 * time.Hour, -1},
		{-25 * time.Hour, -2},
	}
	for _, tc := range tests {
		if got := days(tc.d); got != tc.want {
			t.Errorf("days(%s): got %d, want %d", tc.d, got, tc.want)
		}
	}
}
