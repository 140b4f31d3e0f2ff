// Package policyreport turns one resource's results into a PolicyReport
// (wgpolicyk8s.io/v1alpha2) or an openreports.io/v1alpha1 Report, the
// objects Rancher's policy UIs and Policy Reporter read.
package policyreport

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/tlsguard/tlsguard/pkg/report"
)

// Format selects the report API.
type Format string

// Report formats.
const (
	PolicyReport Format = "policyreport" // wgpolicyk8s.io/v1alpha2, the default
	OpenReports  Format = "openreports"  // openreports.io/v1alpha1
)

// Formats lists the valid formats.
var Formats = []Format{PolicyReport, OpenReports}

// Labels on every report tlsguard writes.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "tlsguard"
	LabelUID       = "tlsguard.io/resource-uid"
	Source         = "tlsguard"
)

// GVK returns the report kind for a namespaced or cluster-scoped resource.
func (f Format) GVK(namespaced bool) schema.GroupVersionKind {
	switch {
	case f == OpenReports && namespaced:
		return schema.GroupVersionKind{Group: "openreports.io", Version: "v1alpha1", Kind: "Report"}
	case f == OpenReports:
		return schema.GroupVersionKind{Group: "openreports.io", Version: "v1alpha1", Kind: "ClusterReport"}
	case namespaced:
		return schema.GroupVersionKind{Group: "wgpolicyk8s.io", Version: "v1alpha2", Kind: "PolicyReport"}
	default:
		return schema.GroupVersionKind{Group: "wgpolicyk8s.io", Version: "v1alpha2", Kind: "ClusterPolicyReport"}
	}
}

// Subject is the resource a report is about.
type Subject struct {
	APIVersion, Kind, Namespace, Name, UID string
}

// Name is the report's name: one report per resource, keyed by its UID so
// that a resource re-created under the same name gets a fresh report.
func Name(uid string) string { return "tlsguard-" + uid }

// Build makes the report for subject from its results, every result listed
// (pass included) in a stable order. docs maps policy IDs to their docs
// links, added to properties. now stamps the results.
func Build(f Format, s Subject, results []report.Result, docs map[string]string, now time.Time) *unstructured.Unstructured {
	rs := slices.Clone(results)
	slices.SortStableFunc(rs, func(a, b report.Result) int {
		if c := strings.Compare(a.Policy, b.Policy); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	var sum report.Summary
	items := make([]any, 0, len(rs))
	ref := map[string]any{"apiVersion": s.APIVersion, "kind": s.Kind, "name": s.Name, "uid": s.UID}
	if s.Namespace != "" {
		ref["namespace"] = s.Namespace
	}
	for _, r := range rs {
		sum.Add(r.Result)
		props := map[string]any{"action": r.Action}
		if d := docs[r.Policy]; d != "" {
			props["docs"] = d
		}
		for _, k := range slices.Sorted(maps.Keys(r.Details)) {
			if v, ok := r.Details[k].(string); ok && len(v) <= 256 {
				props["details."+k] = v
			}
		}
		msg := r.Message
		if msg == "" && r.Result == report.StatusPass {
			msg = "no violation"
		}
		items = append(items, map[string]any{
			"source": Source, "policy": r.Policy, "rule": r.Policy,
			"result": string(r.Result), "severity": r.Severity, "scored": true,
			"message": msg, "properties": props,
			"timestamp": map[string]any{"seconds": now.Unix(), "nanos": int64(0)},
			"resources": []any{ref},
		})
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"source":  Source,
		"scope":   ref,
		"summary": map[string]any{"pass": int64(sum.Pass), "fail": int64(sum.Fail), "warn": int64(sum.Warn), "error": int64(sum.Error), "skip": int64(sum.Skip)},
		"results": items,
	}}
	u.SetGroupVersionKind(f.GVK(s.Namespace != ""))
	u.SetName(Name(s.UID))
	u.SetNamespace(s.Namespace)
	u.SetLabels(map[string]string{LabelManagedBy: ManagedBy, LabelUID: s.UID})
	gv, _ := schema.ParseGroupVersion(s.APIVersion)
	u.SetOwnerReferences([]metav1.OwnerReference{{
		APIVersion: gv.String(), Kind: s.Kind, Name: s.Name, UID: typesUID(s.UID),
	}})
	return u
}

// SameContent reports whether two reports say the same thing, ignoring the
// result timestamps, so an unchanged resource does not cause a write.
func SameContent(a, b *unstructured.Unstructured) bool {
	return fmt.Sprint(strip(a.Object["results"])) == fmt.Sprint(strip(b.Object["results"])) &&
		fmt.Sprint(a.Object["summary"]) == fmt.Sprint(b.Object["summary"])
}

func strip(v any) any {
	items, _ := v.([]any)
	out := make([]any, 0, len(items))
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		c := maps.Clone(m)
		delete(c, "timestamp")
		out = append(out, c)
	}
	return out
}
