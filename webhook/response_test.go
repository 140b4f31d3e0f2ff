package webhook

import "testing"

func TestShorten(t *testing.T) {
	long := "[certificate-expiry] Secret cattle-system/tls-rancher-ingress: data.tls.crt certificate 1 of 2 (CN=rancher.example.com) expires in 10 days"
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{name: "short is kept", in: "[p] ok", n: 120, want: "[p] ok"},
		{name: "Warning prefix dropped", in: "Warning: [p] ok", n: 120, want: "[p] ok"},
		{name: "cut at a word", in: long, n: 80, want: "[certificate-expiry] Secret cattle-system/tls-rancher-ingress: data.tls.crt..."},
		{name: "long word falls back to a hard cut", in: long, n: 60, want: "[certificate-expiry] Secret cattle-system/tls-rancher-ing..."},
		{name: "no space to cut at", in: "[p] aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", n: 20, want: "[p] aaaaaaaaaaaaa..."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := shorten(tc.in, tc.n)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if len(got) > tc.n {
				t.Errorf("got %d bytes, want at most %d", len(got), tc.n)
			}
		})
	}
}
