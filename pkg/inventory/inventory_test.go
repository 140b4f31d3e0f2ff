package inventory_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

func obj(apiVersion, kind, ns, name string) map[string]any {
	meta := map[string]any{}
	if name != "" {
		meta["name"] = name
	}
	if ns != "" {
		meta["namespace"] = ns
	}
	return map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta}
}

func withData(o map[string]any, data map[string]any) map[string]any {
	o["data"] = data
	return o
}

func TestAdd(t *testing.T) {
	nsApps := obj("v1", "Namespace", "", "apps")
	node := obj("v1", "Node", "", "n1")
	crb := obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", "admins")
	cm := obj("v1", "ConfigMap", "apps", "settings")
	deploy := obj("apps/v1", "Deployment", "apps", "web")
	agent := obj("apps/v1", "Deployment", "cattle-system", "cattle-cluster-agent")
	cmV2 := withData(obj("v1", "ConfigMap", "apps", "settings"), map[string]any{"v": "2"})
	generated := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"generateName": "web-", "namespace": "apps"}}

	tests := []struct {
		name    string
		objs    []map[string]any
		wantLen int
		want    map[string]any
	}{
		{
			name: "empty",
			want: map[string]any{"cluster": map[string]any{}, "namespace": map[string]any{}},
		},
		{
			name:    "cluster-scoped objects by groupVersion, kind and name",
			objs:    []map[string]any{nsApps, node, crb},
			wantLen: 3,
			want: map[string]any{
				"cluster": map[string]any{
					"v1": map[string]any{
						"Namespace": map[string]any{"apps": nsApps},
						"Node":      map[string]any{"n1": node},
					},
					"rbac.authorization.k8s.io/v1": map[string]any{
						"ClusterRoleBinding": map[string]any{"admins": crb},
					},
				},
				"namespace": map[string]any{},
			},
		},
		{
			name:    "namespaced objects by namespace first",
			objs:    []map[string]any{cm, deploy, agent},
			wantLen: 3,
			want: map[string]any{
				"cluster": map[string]any{},
				"namespace": map[string]any{
					"apps": map[string]any{
						"v1":      map[string]any{"ConfigMap": map[string]any{"settings": cm}},
						"apps/v1": map[string]any{"Deployment": map[string]any{"web": deploy}},
					},
					"cattle-system": map[string]any{
						"apps/v1": map[string]any{"Deployment": map[string]any{"cattle-cluster-agent": agent}},
					},
				},
			},
		},
		{
			name:    "same identity replaces and keeps Len",
			objs:    []map[string]any{cm, cmV2},
			wantLen: 1,
			want: map[string]any{
				"cluster": map[string]any{},
				"namespace": map[string]any{
					"apps": map[string]any{"v1": map[string]any{"ConfigMap": map[string]any{"settings": cmV2}}},
				},
			},
		},
		{
			name:    "same name in another namespace or kind is a different object",
			objs:    []map[string]any{cm, obj("v1", "ConfigMap", "other", "settings"), obj("v1", "Secret", "apps", "settings")},
			wantLen: 3,
			want: map[string]any{
				"cluster": map[string]any{},
				"namespace": map[string]any{
					"apps": map[string]any{"v1": map[string]any{
						"ConfigMap": map[string]any{"settings": cm},
						"Secret":    map[string]any{"settings": obj("v1", "Secret", "apps", "settings")},
					}},
					"other": map[string]any{"v1": map[string]any{
						"ConfigMap": map[string]any{"settings": obj("v1", "ConfigMap", "other", "settings")},
					}},
				},
			},
		},
		{
			name: "objects that cannot be addressed are ignored",
			objs: []map[string]any{
				obj("v1", "ConfigMap", "apps", ""),
				obj("", "ConfigMap", "apps", "no-api-version"),
				obj("v1", "", "apps", "no-kind"),
				{"apiVersion": "v1", "kind": "ConfigMap"},
				{},
			},
			want: map[string]any{"cluster": map[string]any{}, "namespace": map[string]any{}},
		},
		{
			name:    "generateName stands in for a missing name",
			objs:    []map[string]any{generated},
			wantLen: 1,
			want: map[string]any{
				"cluster": map[string]any{},
				"namespace": map[string]any{
					"apps": map[string]any{"v1": map[string]any{"Pod": map[string]any{"web-": generated}}},
				},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := inventory.New()
			for _, o := range tc.objs {
				inv.Add(o)
			}
			if got := inv.Len(); got != tc.wantLen {
				t.Errorf("Len: got %d, want %d", got, tc.wantLen)
			}
			if diff := cmp.Diff(tc.want, inv.Document()); diff != "" {
				t.Errorf("Document mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddStripsSecrets(t *testing.T) {
	keyPEM := leafKeyPEM(t)
	tests := []struct {
		name string
		obj  map[string]any
		want map[string]any // stored data
	}{
		{
			name: "core Secret loses its key",
			obj:  withData(obj("v1", "Secret", "cattle-system", "tls-rancher"), map[string]any{"tls.crt": "Y2VydA==", "tls.key": b64(keyPEM)}),
			want: map[string]any{"tls.crt": "Y2VydA=="},
		},
		{
			name: "a Secret kind outside the core group is stored as is",
			obj:  withData(obj("example.com/v1", "Secret", "apps", "s"), map[string]any{"tls.key": "a2V5"}),
			want: map[string]any{"tls.key": "a2V5"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := deepCopy(tc.obj)
			inv := inventory.New()
			inv.Add(tc.obj)

			doc := inv.Document()["namespace"].(map[string]any)
			meta := tc.obj["metadata"].(map[string]any)
			stored := dig(t, doc, meta["namespace"].(string), tc.obj["apiVersion"].(string), tc.obj["kind"].(string), meta["name"].(string))
			if diff := cmp.Diff(tc.want, stored["data"]); diff != "" {
				t.Errorf("stored data mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, tc.obj); diff != "" {
				t.Errorf("Add modified its input (-before +after):\n%s", diff)
			}
		})
	}
}

func TestStripSecret(t *testing.T) {
	keyPEM := leafKeyPEM(t)
	certPEM := leafCertPEM(t)
	tests := []struct {
		name           string
		data           map[string]any
		stringData     map[string]any
		wantData       map[string]any
		wantStringData map[string]any
	}{
		{
			name:     "kubernetes.io/tls keeps certificates and drops the key",
			data:     map[string]any{"tls.crt": b64(certPEM), "tls.key": b64(keyPEM), "ca.crt": b64(certPEM)},
			wantData: map[string]any{"tls.crt": b64(certPEM), "ca.crt": b64(certPEM)},
		},
		{
			name: "key-like names are dropped whatever their content",
			data: map[string]any{
				"tls.key": "", "server.KEY": "eA==", "key": "eA==", "key.pem": "eA==",
				"tls-key.pem": "eA==", "privkey.pem": "eA==", "client.key.pem": "eA==",
				"cert.pem": "eA==", "keystore.jks": "eA==", "public.pem": "eA==",
			},
			wantData: map[string]any{"cert.pem": "eA==", "keystore.jks": "eA==", "public.pem": "eA=="},
		},
		{
			name:     "base64 private key under an innocent name",
			data:     map[string]any{"bundle.pem": b64(certPEM + keyPEM), "notes": b64("hello")},
			wantData: map[string]any{"notes": b64("hello")},
		},
		{
			name:     "line-wrapped base64 private key",
			data:     map[string]any{"wrapped": wrap(b64(keyPEM), 64)},
			wantData: map[string]any{},
		},
		{
			name:     "unencoded private key in data",
			data:     map[string]any{"raw": keyPEM},
			wantData: map[string]any{},
		},
		{
			name: "legacy key block types",
			data: map[string]any{
				"rsa":  b64("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"),
				"ec":   b64("-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n"),
				"enc":  b64("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMII\n-----END ENCRYPTED PRIVATE KEY-----\n"),
				"cert": b64(certPEM),
			},
			wantData: map[string]any{"cert": b64(certPEM)},
		},
		{
			name:           "stringData is plain text",
			stringData:     map[string]any{"tls.key": "x", "combined.pem": certPEM + keyPEM, "ca.crt": certPEM},
			wantStringData: map[string]any{"ca.crt": certPEM},
		},
		{
			name:     "non-string and empty values are kept",
			data:     map[string]any{"nothing": nil, "empty": "", "number": float64(1)},
			wantData: map[string]any{"nothing": nil, "empty": "", "number": float64(1)},
		},
		{
			name: "Secret without data",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := obj("v1", "Secret", "cattle-system", "s")
			in["type"] = "kubernetes.io/tls"
			if tc.data != nil {
				in["data"] = tc.data
			}
			if tc.stringData != nil {
				in["stringData"] = tc.stringData
			}
			before := deepCopy(in)

			got := inventory.StripSecret(in)

			want := deepCopy(in)
			delete(want, "data")
			delete(want, "stringData")
			if tc.wantData != nil {
				want["data"] = tc.wantData
			}
			if tc.wantStringData != nil {
				want["stringData"] = tc.wantStringData
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("StripSecret mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, in); diff != "" {
				t.Errorf("StripSecret modified its input (-before +after):\n%s", diff)
			}
		})
	}
}

func TestStripSecretResultIsIndependent(t *testing.T) {
	in := withData(obj("v1", "Secret", "ns", "s"), map[string]any{"ca.crt": "Y2E="})
	got := inventory.StripSecret(in)
	got["data"].(map[string]any)["ca.crt"] = "changed"
	got["kind"] = "changed"
	if v := in["data"].(map[string]any)["ca.crt"]; v != "Y2E=" {
		t.Errorf("input data after changing the result: got %v, want %q", v, "Y2E=")
	}
	if in["kind"] != "Secret" {
		t.Errorf("input kind after changing the result: got %v, want %q", in["kind"], "Secret")
	}
}

func leafKeyPEM(t *testing.T) string {
	t.Helper()
	set, err := testcerts.Default()
	if err != nil {
		t.Fatalf("testcerts.Default: %v", err)
	}
	return set.Get("leaf").KeyPEM()
}

func leafCertPEM(t *testing.T) string {
	t.Helper()
	set, err := testcerts.Default()
	if err != nil {
		t.Fatalf("testcerts.Default: %v", err)
	}
	return set.Get("leaf").CertPEM()
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// wrap breaks s into lines of n characters, as base64 -w does.
func wrap(s string, n int) string {
	var out string
	for len(s) > n {
		out += s[:n] + "\n"
		s = s[n:]
	}
	return out + s
}

// dig walks nested maps by keys.
func dig(t *testing.T, m map[string]any, keys ...string) map[string]any {
	t.Helper()
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			t.Fatalf("no map at %q in %v", k, m)
		}
		m = next
	}
	return m
}

func deepCopy(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		switch x := x.(type) {
		case map[string]any:
			out[k] = deepCopy(x)
		case []any:
			l := make([]any, len(x))
			copy(l, x)
			out[k] = l
		default:
			out[k] = x
		}
	}
	return out
}

// TestStripLastApplied: kubectl's last-applied-configuration annotation
// repeats the whole Secret, tls.key included; the inventory must drop it.
func TestStripLastApplied(t *testing.T) {
	certs, err := testcerts.Default()
	if err != nil {
		t.Fatal(err)
	}
	key := testcerts.B64(certs.Get("leaf").KeyPEM())
	secret := map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{
			"name": "tls-rancher-ingress", "namespace": "cattle-system",
			"annotations":   map[string]any{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"tls.key":"` + key + `"}}`, "keep": "me"},
			"managedFields": []any{map[string]any{"manager": "kubectl"}},
		},
		"data": map[string]any{"tls.crt": "Y2VydA==", "tls.key": key},
	}
	inv := inventory.New()
	inv.Add(secret)
	got := inv.Document()["namespace"].(map[string]any)["cattle-system"].(map[string]any)["v1"].(map[string]any)["Secret"].(map[string]any)["tls-rancher-ingress"].(map[string]any)
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), key) || strings.Contains(string(b), "managedFields") {
		t.Errorf("inventory keeps key material or managedFields: %s", b)
	}
	if !strings.Contains(string(b), `"keep":"me"`) {
		t.Errorf("other annotations were dropped: %s", b)
	}
	if _, ok := secret["metadata"].(map[string]any)["annotations"].(map[string]any)["kubectl.kubernetes.io/last-applied-configuration"]; !ok {
		t.Error("Strip modified its input")
	}
}
