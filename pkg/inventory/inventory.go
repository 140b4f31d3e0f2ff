// Package inventory holds the other objects a policy may consult, in
// Gatekeeper's data.inventory layout, with private keys removed before
// anything is stored.
package inventory

import (
	"encoding/base64"
	"strings"

	"github.com/tlsguard/tlsguard/pkg/review"
)

// Inventory is a set of objects keyed as Gatekeeper's data.inventory:
// cluster[groupVersion][kind][name] and
// namespace[namespace][groupVersion][kind][name]. It is not safe for
// concurrent writes.
type Inventory struct {
	cluster   map[string]any
	namespace map[string]any
	count     int
}

// New returns an empty inventory.
func New() *Inventory {
	return &Inventory{cluster: map[string]any{}, namespace: map[string]any{}}
}

// Add stores obj, replacing an object with the same identity. Secrets are
// stored without key material. Objects without apiVersion, kind or name are
// ignored: they cannot be addressed in the layout.
func (i *Inventory) Add(obj map[string]any) {
	k, name, ns, err := review.Identify(obj)
	if err != nil {
		return
	}
	obj = Strip(obj)
	var root map[string]any
	if ns == "" {
		root = i.cluster
	} else {
		root = child(i.namespace, ns)
	}
	kinds := child(child(root, k.GroupVersion()), k.Kind)
	if _, exists := kinds[name]; !exists {
		i.count++
	}
	kinds[name] = obj
}

// Len is the number of objects stored.
func (i *Inventory) Len() int { return i.count }

// Document is the value of data.inventory.
func (i *Inventory) Document() map[string]any {
	return map[string]any{"cluster": i.cluster, "namespace": i.namespace}
}

func child(m map[string]any, key string) map[string]any {
	c, ok := m[key].(map[string]any)
	if !ok {
		c = map[string]any{}
		m[key] = c
	}
	return c
}

// lastApplied is kubectl's copy of the whole applied object; for a Secret
// it holds tls.key again.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// Strip returns obj as the inventory keeps it: without managedFields and
// kubectl's last-applied-configuration (a full second copy of the object,
// private keys included for Secrets), and for Secrets without key material.
// The input is not modified.
func Strip(obj map[string]any) map[string]any {
	out := obj
	if meta, ok := obj["metadata"].(map[string]any); ok {
		ann, _ := meta["annotations"].(map[string]any)
		_, hasLA := ann[lastApplied]
		_, hasMF := meta["managedFields"]
		if hasLA || hasMF {
			m := make(map[string]any, len(meta))
			for k, v := range meta {
				if k != "managedFields" {
					m[k] = v
				}
			}
			if hasLA {
				a := make(map[string]any, len(ann))
				for k, v := range ann {
					if k != lastApplied {
						a[k] = v
					}
				}
				m["annotations"] = a
			}
			out = make(map[string]any, len(obj))
			for k, v := range obj {
				out[k] = v
			}
			out["metadata"] = m
		}
	}
	if obj["kind"] == "Secret" && obj["apiVersion"] == "v1" {
		out = StripSecret(out)
	}
	return out
}

// StripSecret returns a shallow copy of a Secret without private-key
// entries in data or stringData; the input is not modified. An entry is key
// material when its name looks like a key file (tls.key, *.key, *key.pem)
// or its content holds a PEM PRIVATE KEY block.
func StripSecret(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	for _, field := range []string{"data", "stringData"} {
		m, ok := obj[field].(map[string]any)
		if !ok {
			continue
		}
		kept := make(map[string]any, len(m))
		for k, v := range m {
			s, _ := v.(string)
			if isKeyMaterial(k, s, field == "data") {
				continue
			}
			kept[k] = v
		}
		out[field] = kept
	}
	return out
}

func isKeyMaterial(name, value string, encoded bool) bool {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".key") || strings.HasSuffix(lower, "key.pem") || lower == "key" {
		return true
	}
	if encoded {
		if b, err := base64.StdEncoding.DecodeString(value); err == nil {
			value = string(b)
		}
	}
	return strings.Contains(value, "PRIVATE KEY-----")
}
