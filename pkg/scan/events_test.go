package scan

import (
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/record"

	"github.com/tlsguard/tlsguard/pkg/report"
)

func TestEventsDeduplicated(t *testing.T) {
	rec := record.NewFakeRecorder(100)
	clock := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ev := &Events{Recorder: rec, Interval: time.Hour, Now: func() time.Time { return clock }}
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion("v1")
	obj.SetKind("ConfigMap")
	obj.SetNamespace("cattle-fleet-system")
	obj.SetName("fleet-agent")
	obj.SetUID("u1")
	rs := []report.Result{
		{Policy: "agent-strict-verify", Result: report.StatusFail, Message: "agentTLSMode is system-store"},
		{Policy: "server-url-https", Result: report.StatusPass},
		{Policy: "certificate-expiry", Result: report.StatusWarn, Message: strings.Repeat("x", 2000)},
	}
	ev.Violations(obj, rs)
	ev.Violations(obj, rs) // same findings again: no new events
	clock = clock.Add(2 * time.Hour)
	ev.Violations(obj, rs[:1]) // after the interval: raised again
	close(rec.Events)
	var got []string
	for e := range rec.Events {
		got = append(got, e)
	}
	if len(got) != 3 {
		t.Fatalf("events: got %d %q, want 3 (2 findings, then 1 after the interval)", len(got), got)
	}
	if !strings.HasPrefix(got[0], "Warning PolicyViolation [agent-strict-verify] agentTLSMode is system-store") {
		t.Errorf("event: got %q", got[0])
	}
	if len(got[1]) > maxEventMessage+len("Warning PolicyViolation ") {
		t.Errorf("long message not truncated: %d bytes", len(got[1]))
	}
}
