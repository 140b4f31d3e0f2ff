package config_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/config"
)

func ptr[T any](v T) *T { return &v }

func date(y int, m time.Month, d int) config.Date {
	return config.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		data string
		want *config.Config
	}{
		{
			name: "full file",
			data: `
apiVersion: tlsguard.io/v1alpha1
kind: Config
policies:
  certificate-rotation-age:
    action: warn
    parameters: {maxAgeDays: 60, hosts: [a, b]}
    exemptions:
    - namespaces: [cattle-system]
      names: [tls-legacy]
      expires: "2027-01-31"
      reason: vendor appliance, ticket OPS-123
    - names: [forever]
  server-url-https:
    enabled: false
  certificate-hostname:
    enabled: true
    exemptions: []
`,
			want: &config.Config{
				APIVersion: config.APIVersion,
				Kind:       config.Kind,
				Policies: map[string]config.PolicyConfig{
					"certificate-rotation-age": {
						Action:     "warn",
						Parameters: map[string]any{"maxAgeDays": float64(60), "hosts": []any{"a", "b"}},
						Exemptions: &[]config.Exemption{
							{Namespaces: []string{"cattle-system"}, Names: []string{"tls-legacy"}, Expires: date(2027, 1, 31), Reason: "vendor appliance, ticket OPS-123"},
							{Names: []string{"forever"}},
						},
					},
					"server-url-https":     {Enabled: ptr(false)},
					"certificate-hostname": {Enabled: ptr(true), Exemptions: &[]config.Exemption{}},
				},
			},
		},
		{
			name: "empty document",
			data: "",
			want: &config.Config{},
		},
		{
			name: "apiVersion and kind may be omitted",
			data: "policies: {a: {action: dryrun}}",
			want: &config.Config{Policies: map[string]config.PolicyConfig{"a": {Action: "dryrun"}}},
		},
		{
			name: "JSON",
			data: `{"apiVersion": "tlsguard.io/v1alpha1", "kind": "Config", "policies": {"a": {"action": "deny"}}}`,
			want: &config.Config{APIVersion: config.APIVersion, Kind: config.Kind, Policies: map[string]config.PolicyConfig{"a": {Action: "deny"}}},
		},
		{
			name: "unquoted YAML date",
			data: "policies: {a: {exemptions: [{names: [x], expires: 2027-01-31}]}}",
			want: &config.Config{Policies: map[string]config.PolicyConfig{"a": {Exemptions: &[]config.Exemption{{Names: []string{"x"}, Expires: date(2027, 1, 31)}}}}},
		},
		{
			name: "RFC 3339 expiry keeps its instant",
			data: `policies: {a: {exemptions: [{names: [x], expires: "2027-01-31T18:30:00+02:00"}]}}`,
			want: &config.Config{Policies: map[string]config.PolicyConfig{"a": {Exemptions: &[]config.Exemption{{
				Names:   []string{"x"},
				Expires: config.Date{Time: time.Date(2027, 1, 31, 16, 30, 0, 0, time.UTC)},
			}}}}},
		},
		{
			name: "empty expiry never expires",
			data: `policies: {a: {exemptions: [{names: [x], expires: ""}]}}`,
			want: &config.Config{Policies: map[string]config.PolicyConfig{"a": {Exemptions: &[]config.Exemption{{Names: []string{"x"}}}}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := config.Parse([]byte(tc.data))
			if err != nil {
				t.Fatalf("Parse: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		// wantMsg are substrings of the error.
		wantMsg []string
	}{
		{
			name:    "misspelt policy field",
			data:    "policies: {a: {paramters: {maxAgeDays: 1}}}",
			wantMsg: []string{`unknown field "paramters"`},
		},
		{
			name:    "unknown top-level field",
			data:    "apiVersion: tlsguard.io/v1alpha1\nkind: Config\npolicy: {}",
			wantMsg: []string{`unknown field "policy"`},
		},
		{
			name:    "unknown exemption field",
			data:    "policies: {a: {exemptions: [{namespace: x}]}}",
			wantMsg: []string{`unknown field "namespace"`},
		},
		{
			name:    "wrong kind",
			data:    "apiVersion: tlsguard.io/v1alpha1\nkind: Configuration",
			wantMsg: []string{`kind "Configuration"`, `want "Config"`},
		},
		{
			name:    "wrong apiVersion",
			data:    "apiVersion: tlsguard.io/v1\nkind: Config",
			wantMsg: []string{`apiVersion "tlsguard.io/v1"`, `want "tlsguard.io/v1alpha1"`},
		},
		{
			name:    "invalid expiry",
			data:    `policies: {a: {exemptions: [{expires: "31/01/2027"}]}}`,
			wantMsg: []string{`expires "31/01/2027"`, "YYYY-MM-DD or RFC 3339"},
		},
		{
			name:    "expiry that is not a string",
			data:    `policies: {a: {exemptions: [{expires: 20270131}]}}`,
			wantMsg: []string{"expires must be a string"},
		},
		{
			name:    "wrong type",
			data:    "policies: {a: {enabled: maybe}}",
			wantMsg: []string{"enabled"},
		},
		{
			name:    "not YAML",
			data:    "policies: [",
			wantMsg: []string{"yaml"},
		},
		{
			name:    "not an object",
			data:    "- a",
			wantMsg: []string{"cannot unmarshal array"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := config.Parse([]byte(tc.data))
			if err == nil {
				t.Fatalf("Parse: got %+v, want an error", got)
			}
			if !errors.Is(err, config.ErrInvalidConfig) {
				t.Errorf("Parse: got error %v, want it to wrap ErrInvalidConfig", err)
			}
			for _, s := range tc.wantMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Parse: got error %q, want it to contain %q", err, s)
				}
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "", want: time.Time{}},
		{in: "2027-01-31", want: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
		{in: "2027-01-31T00:00:00Z", want: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
		{in: "2027-01-31T23:59:59.5-05:00", want: time.Date(2027, 2, 1, 4, 59, 59, 500_000_000, time.UTC)},
		{in: "2027-02-30", wantErr: true},
		{in: "31/01/2027", wantErr: true},
		{in: "2027-01-31 10:00:00", wantErr: true},
		{in: "tomorrow", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := config.ParseDate(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseDate(%q): got %v, want an error", tc.in, got)
				}
				if !strings.Contains(err.Error(), tc.in) {
					t.Errorf("ParseDate(%q): got error %q, want it to quote the input", tc.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): got error %v, want nil", tc.in, err)
			}
			if !got.Equal(tc.want) {
				t.Errorf("ParseDate(%q): got %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestDateMarshalJSON(t *testing.T) {
	tests := []struct {
		name string
		in   config.Date
		want string
	}{
		{name: "zero", in: config.Date{}, want: "null"},
		{name: "date", in: date(2027, 1, 31), want: `"2027-01-31T00:00:00Z"`},
		{name: "offset is kept", in: config.Date{Time: time.Date(2027, 1, 31, 18, 30, 0, 0, time.FixedZone("", 2*3600))}, want: `"2027-01-31T18:30:00+02:00"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.in)
			if err != nil {
				t.Fatalf("Marshal: got error %v, want nil", err)
			}
			if string(got) != tc.want {
				t.Errorf("Marshal: got %s, want %s", got, tc.want)
			}
			if tc.in.IsZero() {
				return
			}
			var back config.Date
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("Unmarshal(%s): got error %v, want nil", got, err)
			}
			if !back.Equal(tc.in.Time) {
				t.Errorf("round trip: got %v, want %v", back, tc.in)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		want    *config.Config
		wantErr error
		wantMsg []string
	}{
		{
			name: "valid file",
			path: filepath.Join("testdata", "config.yaml"),
			want: &config.Config{
				APIVersion: config.APIVersion,
				Kind:       config.Kind,
				Policies: map[string]config.PolicyConfig{
					"certificate-rotation-age": {
						Action:     "warn",
						Parameters: map[string]any{"maxAgeDays": float64(60)},
						Exemptions: &[]config.Exemption{{
							Namespaces: []string{"cattle-system"},
							Names:      []string{"tls-legacy"},
							Expires:    date(2027, 1, 31),
							Reason:     "vendor appliance, ticket OPS-123",
						}},
					},
					"server-url-https": {Enabled: ptr(false)},
				},
			},
		},
		{
			name:    "missing file",
			path:    filepath.Join("testdata", "missing.yaml"),
			wantErr: fs.ErrNotExist,
			wantMsg: []string{"read config", filepath.Join("testdata", "missing.yaml")},
		},
		{
			name:    "invalid file names the file",
			path:    filepath.Join("testdata", "typo.yaml"),
			wantErr: config.ErrInvalidConfig,
			wantMsg: []string{filepath.Join("testdata", "typo.yaml") + ":", `unknown field "paramters"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := config.Load(tc.path)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Load(%s): got error %v, want %v", tc.path, err, tc.wantErr)
			}
			for _, s := range tc.wantMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Load(%s): got error %q, want it to contain %q", tc.path, err, s)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Load(%s) mismatch (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}
