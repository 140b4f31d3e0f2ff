package review

import (
	"encoding/json"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
)

// FromAdmission builds a Request from an AdmissionRequest. Object bytes that
// do not decode are a user error wrapped in ErrInvalidObject.
func FromAdmission(req *admissionv1.AdmissionRequest) (Request, error) {
	if req == nil {
		return Request{}, fmt.Errorf("%w: empty admission request", ErrInvalidObject)
	}
	r := Header(req)
	var err error
	if r.Object, err = decodeRaw(req.Object.Raw, "object"); err != nil {
		return Request{}, err
	}
	if r.OldObject, err = decodeRaw(req.OldObject.Raw, "oldObject"); err != nil {
		return Request{}, err
	}
	return r, nil
}

// Header is the Request without its objects: what identifies the request
// and its user, which needs no decoding.
func Header(req *admissionv1.AdmissionRequest) Request {
	return Request{
		Kind:      Kind{Group: req.Kind.Group, Version: req.Kind.Version, Kind: req.Kind.Kind},
		Operation: string(req.Operation),
		Name:      req.Name,
		Namespace: req.Namespace,
		UserInfo:  UserInfo{Username: req.UserInfo.Username, UID: req.UserInfo.UID, Groups: req.UserInfo.Groups},
	}
}

func decodeRaw(raw []byte, field string) (map[string]any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("%w: request.%s: %w", ErrInvalidObject, field, err)
	}
	return obj, nil
}
