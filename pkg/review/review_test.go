package review_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/review"
)

func object(apiVersion, kind string, meta map[string]any) map[string]any {
	o := map[string]any{"apiVersion": apiVersion, "kind": kind}
	if meta != nil {
		o["metadata"] = meta
	}
	return o
}

func TestFromObject(t *testing.T) {
	secret := object("v1", "Secret", map[string]any{"name": "tls-rancher", "namespace": "cattle-system"})
	deploy := object("apps/v1", "Deployment", map[string]any{"name": "cattle-cluster-agent", "namespace": "cattle-system"})
	crb := object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", map[string]any{"name": "admins"})
	generated := object("v1", "Pod", map[string]any{"generateName": "agent-", "namespace": "cattle-system"})
	both := object("v1", "Pod", map[string]any{"name": "real", "generateName": "agent-"})

	tests := []struct {
		name string
		obj  map[string]any
		want review.Request
	}{
		{
			name: "core group",
			obj:  secret,
			want: review.Request{
				Kind:      review.Kind{Group: "", Version: "v1", Kind: "Secret"},
				Operation: review.Create,
				Name:      "tls-rancher",
				Namespace: "cattle-system",
				Object:    secret,
			},
		},
		{
			name: "named group",
			obj:  deploy,
			want: review.Request{
				Kind:      review.Kind{Group: "apps", Version: "v1", Kind: "Deployment"},
				Operation: "CREATE",
				Name:      "cattle-cluster-agent",
				Namespace: "cattle-system",
				Object:    deploy,
			},
		},
		{
			name: "cluster-scoped",
			obj:  crb,
			want: review.Request{
				Kind:      review.Kind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"},
				Operation: review.Create,
				Name:      "admins",
				Object:    crb,
			},
		},
		{
			name: "generateName stands in for name",
			obj:  generated,
			want: review.Request{
				Kind:      review.Kind{Version: "v1", Kind: "Pod"},
				Operation: review.Create,
				Name:      "agent-",
				Namespace: "cattle-system",
				Object:    generated,
			},
		},
		{
			name: "name wins over generateName",
			obj:  both,
			want: review.Request{
				Kind:      review.Kind{Version: "v1", Kind: "Pod"},
				Operation: review.Create,
				Name:      "real",
				Object:    both,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := review.FromObject(tc.obj)
			if err != nil {
				t.Fatalf("FromObject: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FromObject mismatch (-want +got):\n%s", diff)
			}
			if got.OldObject != nil {
				t.Errorf("FromObject: got OldObject %v, want nil", got.OldObject)
			}
		})
	}
}

func TestIdentifyErrors(t *testing.T) {
	tests := []struct {
		name    string
		obj     map[string]any
		wantMsg string
	}{
		{name: "empty object", obj: map[string]any{}, wantMsg: "missing apiVersion"},
		{name: "missing apiVersion", obj: object("", "Secret", map[string]any{"name": "a"}), wantMsg: "missing apiVersion"},
		{name: "apiVersion not a string", obj: map[string]any{"apiVersion": 1, "kind": "Secret"}, wantMsg: "missing apiVersion"},
		{name: "missing kind", obj: object("v1", "", map[string]any{"name": "a"}), wantMsg: "missing kind"},
		{name: "missing metadata", obj: object("v1", "Secret", nil), wantMsg: "v1 Secret has no metadata.name"},
		{name: "missing name", obj: object("apps/v1", "Deployment", map[string]any{"namespace": "x"}), wantMsg: "apps/v1 Deployment has no metadata.name"},
		{name: "metadata not an object", obj: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": "a"}, wantMsg: "has no metadata.name"},
		{name: "name not a string", obj: object("v1", "Secret", map[string]any{"name": 3}), wantMsg: "has no metadata.name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := review.Identify(tc.obj)
			if !errors.Is(err, review.ErrInvalidObject) {
				t.Fatalf("Identify: got error %v, want ErrInvalidObject", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("Identify: got error %q, want it to contain %q", err, tc.wantMsg)
			}
			if _, err := review.FromObject(tc.obj); !errors.Is(err, review.ErrInvalidObject) {
				t.Errorf("FromObject: got error %v, want ErrInvalidObject", err)
			}
		})
	}
}

func TestParseAPIVersion(t *testing.T) {
	tests := []struct {
		in          string
		wantGroup   string
		wantVersion string
		wantGV      string
	}{
		{in: "v1", wantGroup: "", wantVersion: "v1", wantGV: "v1"},
		{in: "apps/v1", wantGroup: "apps", wantVersion: "v1", wantGV: "apps/v1"},
		{in: "management.cattle.io/v3", wantGroup: "management.cattle.io", wantVersion: "v3", wantGV: "management.cattle.io/v3"},
		{in: "", wantGroup: "", wantVersion: "", wantGV: ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			g, v := review.ParseAPIVersion(tc.in)
			if g != tc.wantGroup || v != tc.wantVersion {
				t.Errorf("ParseAPIVersion(%q): got (%q, %q), want (%q, %q)", tc.in, g, v, tc.wantGroup, tc.wantVersion)
			}
			if got := (review.Kind{Group: g, Version: v, Kind: "X"}).GroupVersion(); got != tc.wantGV {
				t.Errorf("GroupVersion: got %q, want %q", got, tc.wantGV)
			}
		})
	}
}

func TestDocument(t *testing.T) {
	obj := object("v1", "Secret", map[string]any{"name": "s", "namespace": "ns"})
	old := object("v1", "Secret", map[string]any{"name": "s", "namespace": "ns", "labels": map[string]any{"v": "1"}})
	kind := review.Kind{Version: "v1", Kind: "Secret"}
	kindDoc := map[string]any{"group": "", "version": "v1", "kind": "Secret"}
	noUser := map[string]any{"username": "", "uid": "", "groups": []any{}}

	tests := []struct {
		name string
		req  review.Request
		want map[string]any
	}{
		{
			name: "scanned object",
			req:  review.Request{Kind: kind, Operation: review.Create, Name: "s", Namespace: "ns", Object: obj},
			want: map[string]any{
				"kind": kindDoc, "operation": "CREATE", "name": "s", "namespace": "ns",
				"userInfo": noUser,
				"object":   obj,
			},
		},
		{
			name: "update carries both objects and the user",
			req: review.Request{
				Kind: kind, Operation: review.Update, Name: "s", Namespace: "ns", Object: obj, OldObject: old,
				UserInfo: review.UserInfo{Username: "admin", UID: "u-1", Groups: []string{"system:masters", "system:authenticated"}},
			},
			want: map[string]any{
				"kind": kindDoc, "operation": "UPDATE", "name": "s", "namespace": "ns",
				"userInfo":  map[string]any{"username": "admin", "uid": "u-1", "groups": []any{"system:masters", "system:authenticated"}},
				"object":    obj,
				"oldObject": old,
			},
		},
		{
			name: "delete has no object key",
			req:  review.Request{Kind: kind, Operation: review.Delete, Name: "s", Namespace: "ns", OldObject: old},
			want: map[string]any{
				"kind": kindDoc, "operation": "DELETE", "name": "s", "namespace": "ns",
				"userInfo":  noUser,
				"oldObject": old,
			},
		},
		{
			name: "zero request",
			req:  review.Request{},
			want: map[string]any{
				"kind":      map[string]any{"group": "", "version": "", "kind": ""},
				"operation": "", "name": "", "namespace": "",
				"userInfo": noUser,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.req.Document()); diff != "" {
				t.Errorf("Document mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInput(t *testing.T) {
	req := review.Request{Kind: review.Kind{Version: "v1", Kind: "Secret"}, Operation: review.Create, Name: "s"}
	tests := []struct {
		name       string
		parameters map[string]any
		want       map[string]any
	}{
		{name: "nil parameters become an empty object", parameters: nil, want: map[string]any{}},
		{name: "parameters are passed through", parameters: map[string]any{"maxAgeDays": 90}, want: map[string]any{"maxAgeDays": 90}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := review.Input(req, tc.parameters)
			want := map[string]any{"review": req.Document(), "parameters": tc.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Input mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
