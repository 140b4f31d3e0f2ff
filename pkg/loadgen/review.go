package loadgen

import (
	"encoding/json"
	"fmt"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ReviewBody is the JSON of an AdmissionReview v1 carrying req, as the API
// server sends it.
func ReviewBody(req *admissionv1.AdmissionRequest) ([]byte, error) {
	b, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "AdmissionReview"},
		Request:  req,
	})
	if err != nil {
		return nil, fmt.Errorf("encode AdmissionReview: %w", err)
	}
	return b, nil
}

// Expect is what every answer of a target must say.
type Expect struct {
	Allowed bool `json:"allowed"`
	// Code, when non-zero, is the required response.status.code.
	Code int32 `json:"code,omitempty"`
	// UID, when set, must be echoed as response.uid.
	UID string `json:"uid,omitempty"`
	// MessageContains, when set, must appear in response.status.message.
	MessageContains string `json:"messageContains,omitempty"`
}

// Answer is the part of an AdmissionReview response that Expect checks.
type Answer struct {
	UID      string
	Allowed  bool
	Code     int32
	Message  string
	Warnings []string
}

// reviewResponse decodes only what Answer needs, to keep the generator's
// own CPU use small next to the server it measures.
type reviewResponse struct {
	Response *struct {
		UID     string `json:"uid"`
		Allowed bool   `json:"allowed"`
		Status  *struct {
			Code    int32  `json:"code"`
			Message string `json:"message"`
		} `json:"status"`
		Warnings []string `json:"warnings"`
	} `json:"response"`
}

func decodeAnswer(body []byte) (Answer, error) {
	var rr reviewResponse
	if err := json.Unmarshal(body, &rr); err != nil {
		return Answer{}, fmt.Errorf("decode AdmissionReview: %w", err)
	}
	if rr.Response == nil {
		return Answer{}, fmt.Errorf("AdmissionReview has no response")
	}
	a := Answer{UID: rr.Response.UID, Allowed: rr.Response.Allowed, Warnings: rr.Response.Warnings}
	if s := rr.Response.Status; s != nil {
		a.Code, a.Message = s.Code, s.Message
	}
	return a, nil
}

// check reports how a differs from e, wrapping ErrUnexpected.
func (e Expect) check(a Answer) error {
	switch {
	case e.UID != "" && a.UID != e.UID:
		return fmt.Errorf("%w: uid %q, want %q", ErrUnexpected, a.UID, e.UID)
	case a.Allowed != e.Allowed:
		return fmt.Errorf("%w: allowed %t, want %t (code %d: %s)", ErrUnexpected, a.Allowed, e.Allowed, a.Code, a.Message)
	case e.Code != 0 && a.Code != e.Code:
		return fmt.Errorf("%w: status code %d, want %d (%s)", ErrUnexpected, a.Code, e.Code, a.Message)
	case e.MessageContains != "" && !strings.Contains(a.Message, e.MessageContains):
		return fmt.Errorf("%w: message %q does not contain %q", ErrUnexpected, a.Message, e.MessageContains)
	}
	return nil
}
