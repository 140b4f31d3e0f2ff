package webhook_test

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/policies"
	"github.com/tlsguard/tlsguard/webhook"
)

// TestManifestCurrent keeps webhook/manifest.yaml equal to what
// `tlsguard webhook manifest` prints; UPDATE_GOLDEN=1 rewrites it.
func TestManifestCurrent(t *testing.T) {
	got, err := webhook.Manifest(webhook.ConfigOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile("manifest.yaml", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("manifest.yaml is stale (-file +generated), run UPDATE_GOLDEN=1 go test ./webhook/:\n%s", diff)
	}
}

// TestGuardedCoversPolicies checks every kind a policy matches is sent to
// the webhook; a policy whose kind is missing would never see admission.
func TestGuardedCoversPolicies(t *testing.T) {
	src, err := policy.ParseFS(policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	guarded := map[[2]string]bool{}
	for _, g := range webhook.GuardedResources {
		for _, k := range g.Kinds {
			guarded[[2]string{g.Group, k}] = true
		}
	}
	for _, md := range src.Policies {
		for _, m := range md.Match {
			if !guarded[[2]string{m.Group, m.Kind}] {
				t.Errorf("policy %s matches %s/%s, which the webhook configuration does not guard", md.ID, m.Group, m.Kind)
			}
		}
	}
}

func TestConfigurationOptions(t *testing.T) {
	vwc := webhook.Configuration(webhook.ConfigOptions{URL: "https://127.0.0.1:9443/validate", CABundle: []byte("ca"), FailurePolicy: "Ignore", TimeoutSeconds: 5})
	for _, w := range vwc.Webhooks {
		if w.ClientConfig.URL == nil || *w.ClientConfig.URL != "https://127.0.0.1:9443/validate" || w.ClientConfig.Service != nil {
			t.Errorf("%s: clientConfig: got %+v, want the URL only", w.Name, w.ClientConfig)
		}
		if string(*w.FailurePolicy) != "Ignore" || *w.TimeoutSeconds != 5 || string(*w.SideEffects) != "None" {
			t.Errorf("%s: got failurePolicy %s timeout %d sideEffects %s", w.Name, *w.FailurePolicy, *w.TimeoutSeconds, *w.SideEffects)
		}
		if diff := cmp.Diff([]string{"v1"}, w.AdmissionReviewVersions); diff != "" {
			t.Errorf("%s: admissionReviewVersions: %s", w.Name, diff)
		}
	}
}
