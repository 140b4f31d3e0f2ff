package probe_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/probe"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		raw     string
		want    probe.Target
		wantErr bool
	}{
		{raw: "https://rancher.example.com", want: probe.Target{URL: "https://rancher.example.com", Host: "rancher.example.com", Port: "443", Address: "rancher.example.com:443"}},
		{raw: "https://Rancher.Example.com:8443/", want: probe.Target{URL: "https://rancher.example.com:8443", Host: "rancher.example.com", Port: "8443", Address: "rancher.example.com:8443"}},
		{raw: "https://127.0.0.1:9443", want: probe.Target{URL: "https://127.0.0.1:9443", Host: "127.0.0.1", Port: "9443", Address: "127.0.0.1:9443"}},
		{raw: "https://[::1]", want: probe.Target{URL: "https://[::1]", Host: "::1", Port: "443", Address: "[::1]:443"}},
		{raw: "http://rancher.example.com", wantErr: true},
		{raw: "rancher.example.com", wantErr: true},
		{raw: "https://admin:secret@rancher.example.com", wantErr: true},
		{raw: "https://rancher.example.com/v3", wantErr: true},
		{raw: "https://rancher.example.com?x=1", wantErr: true},
		{raw: "https://", wantErr: true},
		{raw: "https://%zz", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			got, err := probe.ParseTarget(tc.raw)
			if tc.wantErr {
				if !errors.Is(err, probe.ErrInvalidTarget) {
					t.Fatalf("got error %v, want ErrInvalidTarget", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("target (-want +got):\n%s", diff)
			}
		})
	}
}
