package review_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/tlsguard/tlsguard/pkg/review"
)

const (
	secretJSON    = `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"tls-rancher","namespace":"cattle-system"},"data":{"tls.crt":"Y2VydA=="}}`
	oldSecretJSON = `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"tls-rancher","namespace":"cattle-system"},"data":{"tls.crt":"b2xk"}}`
)

func secretRequest(op admissionv1.Operation, object, oldObject string) *admissionv1.AdmissionRequest {
	req := &admissionv1.AdmissionRequest{
		UID:       "705ab4f5-6393-11e8-b7cc-42010a800002",
		Kind:      metav1.GroupVersionKind{Group: "", Version: "v1", Kind: "Secret"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "secrets"},
		Name:      "tls-rancher",
		Namespace: "cattle-system",
		Operation: op,
		UserInfo: authenticationv1.UserInfo{
			Username: "system:serviceaccount:cattle-system:rancher",
			UID:      "0c6ad8f1",
			Groups:   []string{"system:serviceaccounts", "system:authenticated"},
		},
	}
	if object != "" {
		req.Object = runtime.RawExtension{Raw: []byte(object)}
	}
	if oldObject != "" {
		req.OldObject = runtime.RawExtension{Raw: []byte(oldObject)}
	}
	return req
}

func TestFromAdmission(t *testing.T) {
	secret := map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "tls-rancher", "namespace": "cattle-system"},
		"data":     map[string]any{"tls.crt": "Y2VydA=="},
	}
	oldSecret := map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "tls-rancher", "namespace": "cattle-system"},
		"data":     map[string]any{"tls.crt": "b2xk"},
	}
	user := review.UserInfo{
		Username: "system:serviceaccount:cattle-system:rancher",
		UID:      "0c6ad8f1",
		Groups:   []string{"system:serviceaccounts", "system:authenticated"},
	}
	kind := review.Kind{Version: "v1", Kind: "Secret"}

	tests := []struct {
		name string
		req  *admissionv1.AdmissionRequest
		want review.Request
	}{
		{
			name: "create",
			req:  secretRequest(admissionv1.Create, secretJSON, ""),
			want: review.Request{Kind: kind, Operation: review.Create, Name: "tls-rancher", Namespace: "cattle-system", Object: secret, UserInfo: user},
		},
		{
			name: "update",
			req:  secretRequest(admissionv1.Update, secretJSON, oldSecretJSON),
			want: review.Request{Kind: kind, Operation: review.Update, Name: "tls-rancher", Namespace: "cattle-system", Object: secret, OldObject: oldSecret, UserInfo: user},
		},
		{
			name: "delete",
			req:  secretRequest(admissionv1.Delete, "", oldSecretJSON),
			want: review.Request{Kind: kind, Operation: review.Delete, Name: "tls-rancher", Namespace: "cattle-system", OldObject: oldSecret, UserInfo: user},
		},
		{
			name: "JSON null object",
			req:  secretRequest(admissionv1.Delete, "null", ""),
			want: review.Request{Kind: kind, Operation: review.Delete, Name: "tls-rancher", Namespace: "cattle-system", UserInfo: user},
		},
		{
			name: "named group, cluster-scoped, no user groups",
			req: &admissionv1.AdmissionRequest{
				Kind:      metav1.GroupVersionKind{Group: "management.cattle.io", Version: "v3", Kind: "Setting"},
				Name:      "cacerts",
				Operation: admissionv1.Update,
				UserInfo:  authenticationv1.UserInfo{Username: "admin"},
				Object:    runtime.RawExtension{Raw: []byte(`{"apiVersion":"management.cattle.io/v3","kind":"Setting","metadata":{"name":"cacerts"},"value":""}`)},
			},
			want: review.Request{
				Kind:      review.Kind{Group: "management.cattle.io", Version: "v3", Kind: "Setting"},
				Operation: review.Update,
				Name:      "cacerts",
				Object: map[string]any{
					"apiVersion": "management.cattle.io/v3", "kind": "Setting",
					"metadata": map[string]any{"name": "cacerts"}, "value": "",
				},
				UserInfo: review.UserInfo{Username: "admin"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := review.FromAdmission(tc.req)
			if err != nil {
				t.Fatalf("FromAdmission: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FromAdmission mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromAdmissionDocumentMatchesFromObject(t *testing.T) {
	// A CREATE from the webhook and the same object from a scan must give
	// policies the same input, apart from the user.
	admitted, err := review.FromAdmission(secretRequest(admissionv1.Create, secretJSON, ""))
	if err != nil {
		t.Fatalf("FromAdmission: %v", err)
	}
	scanned, err := review.FromObject(admitted.Object)
	if err != nil {
		t.Fatalf("FromObject: %v", err)
	}
	admitted.UserInfo = review.UserInfo{}
	if diff := cmp.Diff(scanned.Document(), admitted.Document()); diff != "" {
		t.Errorf("Document mismatch (-scanned +admitted):\n%s", diff)
	}
}

func TestFromAdmissionErrors(t *testing.T) {
	tests := []struct {
		name    string
		req     *admissionv1.AdmissionRequest
		wantMsg string
	}{
		{name: "nil request", req: nil, wantMsg: "empty admission request"},
		{name: "malformed object", req: secretRequest(admissionv1.Create, `{"apiVersion": "v1",`, ""), wantMsg: "request.object"},
		{name: "object is not a JSON object", req: secretRequest(admissionv1.Create, `["a"]`, ""), wantMsg: "request.object"},
		{name: "object is a string", req: secretRequest(admissionv1.Create, `"Secret"`, ""), wantMsg: "request.object"},
		{name: "malformed oldObject", req: secretRequest(admissionv1.Update, secretJSON, `{`), wantMsg: "request.oldObject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := review.FromAdmission(tc.req)
			if !errors.Is(err, review.ErrInvalidObject) {
				t.Fatalf("FromAdmission: got error %v, want ErrInvalidObject", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("FromAdmission: got error %q, want it to contain %q", err, tc.wantMsg)
			}
			if diff := cmp.Diff(review.Request{}, got); diff != "" {
				t.Errorf("FromAdmission: got a partial request with the error (-want +got):\n%s", diff)
			}
		})
	}
}
