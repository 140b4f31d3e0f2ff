// Package review builds the one input document every tlsguard entry point
// evaluates: Gatekeeper's input.review, from an AdmissionRequest (webhook) or
// from a stored object (scanner, CLI).
package review

import (
	"errors"
	"fmt"
	"strings"
)

// Operations, as in admission.k8s.io/v1.
const (
	Create = "CREATE"
	Update = "UPDATE"
	Delete = "DELETE"
)

// ErrInvalidObject is returned for an object that cannot be reviewed
// (no apiVersion, kind or name).
var ErrInvalidObject = errors.New("invalid object")

// Kind is a group/version/kind as admission reviews carry it.
type Kind struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// GroupVersion is "group/version", or "version" for the core group, the key
// of Gatekeeper's inventory.
func (k Kind) GroupVersion() string {
	if k.Group == "" {
		return k.Version
	}
	return k.Group + "/" + k.Version
}

// ParseAPIVersion splits apiVersion into group and version.
func ParseAPIVersion(apiVersion string) (group, version string) {
	if g, v, ok := strings.Cut(apiVersion, "/"); ok {
		return g, v
	}
	return "", apiVersion
}

// UserInfo is who made the request; empty for scans.
type UserInfo struct {
	Username string   `json:"username,omitempty"`
	UID      string   `json:"uid,omitempty"`
	Groups   []string `json:"groups,omitempty"`
}

// Request is one object to review: what input.review is built from.
type Request struct {
	Kind      Kind
	Operation string
	Name      string
	Namespace string
	Object    map[string]any // nil on DELETE
	OldObject map[string]any // nil on CREATE and in scans
	UserInfo  UserInfo
}

// FromObject reviews a stored object as a CREATE with no oldObject, which is
// how the scanner and the CLI see every object.
func FromObject(obj map[string]any) (Request, error) {
	k, name, ns, err := Identify(obj)
	if err != nil {
		return Request{}, err
	}
	return Request{Kind: k, Operation: Create, Name: name, Namespace: ns, Object: obj}, nil
}

// Identify returns the kind, name and namespace of an object, or an error
// naming the missing field.
func Identify(obj map[string]any) (Kind, string, string, error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" {
		return Kind{}, "", "", fmt.Errorf("%w: missing apiVersion", ErrInvalidObject)
	}
	if kind == "" {
		return Kind{}, "", "", fmt.Errorf("%w: missing kind", ErrInvalidObject)
	}
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if name == "" {
		name, _ = meta["generateName"].(string)
	}
	if name == "" {
		return Kind{}, "", "", fmt.Errorf("%w: %s %s has no metadata.name", ErrInvalidObject, apiVersion, kind)
	}
	ns, _ := meta["namespace"].(string)
	g, v := ParseAPIVersion(apiVersion)
	return Kind{Group: g, Version: v, Kind: kind}, name, ns, nil
}

// Document is input.review for this request.
func (r Request) Document() map[string]any {
	doc := map[string]any{
		"kind":      map[string]any{"group": r.Kind.Group, "version": r.Kind.Version, "kind": r.Kind.Kind},
		"operation": r.Operation,
		"name":      r.Name,
		"namespace": r.Namespace,
		"userInfo":  userInfoDoc(r.UserInfo),
	}
	if r.Object != nil {
		doc["object"] = r.Object
	}
	if r.OldObject != nil {
		doc["oldObject"] = r.OldObject
	}
	return doc
}

func userInfoDoc(u UserInfo) map[string]any {
	groups := make([]any, len(u.Groups))
	for i, g := range u.Groups {
		groups[i] = g
	}
	return map[string]any{"username": u.Username, "uid": u.UID, "groups": groups}
}

// Input is the whole Rego input for one policy: input.review plus that
// policy's parameters.
func Input(r Request, parameters map[string]any) map[string]any {
	if parameters == nil {
		parameters = map[string]any{}
	}
	return map[string]any{"review": r.Document(), "parameters": parameters}
}
