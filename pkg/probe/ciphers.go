package probe

import (
	"crypto/tls"
	"strings"
)

// cipherProblem is "" for an acceptable suite, else why it is weak. The
// rule is the tls-min-version policy's, for the tls-ciphers Setting: TLS 1.3
// suites and ECDHE with AES-GCM or ChaCha20-Poly1305 are acceptable; RC4,
// 3DES, CBC and non-ECDHE key exchange are not.
func cipherProblem(name string) string {
	switch {
	case name == "TLS_AES_128_GCM_SHA256", name == "TLS_AES_256_GCM_SHA384", name == "TLS_CHACHA20_POLY1305_SHA256":
		return ""
	case strings.HasPrefix(name, "TLS_ECDHE_") && (strings.Contains(name, "_GCM_") || strings.Contains(name, "_CHACHA20_POLY1305")):
		return ""
	case strings.Contains(name, "RC4"):
		return "RC4"
	case strings.Contains(name, "3DES"):
		return "3DES"
	case strings.Contains(name, "_CBC_"):
		return "CBC"
	case !strings.HasPrefix(name, "TLS_ECDHE_"):
		return "non-ECDHE key exchange"
	default:
		return "not a known strong suite"
	}
}

// allSuites are every TLS 1.0–1.2 suite Go implements, secure ones first, so
// that the main handshake sees what the server picks, weak suites included.
func allSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// weakSuites are the TLS 1.0–1.2 suites cipherProblem rejects.
func weakSuites() []uint16 {
	var ids []uint16
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if cipherProblem(s.Name) != "" && supportsBelow13(s) {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

func supportsBelow13(s *tls.CipherSuite) bool {
	for _, v := range s.SupportedVersions {
		if v < tls.VersionTLS13 {
			return true
		}
	}
	return false
}
