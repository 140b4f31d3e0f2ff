package scan

import (
	"context"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/pkg/policyreport"
	"github.com/tlsguard/tlsguard/pkg/report"
)

// writeReport creates or updates the report of obj, or deletes it when no
// policy applies to obj any more. Unchanged reports are not written.
func (s *Scanner) writeReport(ctx context.Context, obj *unstructured.Unstructured, results []report.Result) error {
	if s.deps.Writer == nil || s.opts.ReportFormat == "" {
		return nil
	}
	subject := policyreport.Subject{
		APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(), Namespace: obj.GetNamespace(),
		Name: obj.GetName(), UID: string(obj.GetUID()),
	}
	want := policyreport.Build(s.opts.ReportFormat, subject, results, s.docs, s.deps.Now())
	op, err := policyreport.Apply(ctx, s.deps.Writer, want, len(results) == 0)
	if err != nil {
		return err
	}
	if op != "" {
		s.deps.Metrics.reportWritten(op)
	}
	return nil
}

// deleteReport removes the report of a resource that is gone. Reports are
// owner-referenced, so the garbage collector would remove them too; doing
// it here keeps clusters without a running GC (and the tests) tidy.
func (s *Scanner) deleteReport(ctx context.Context, uid string, log logr.Logger) {
	if s.deps.Writer == nil || s.opts.ReportFormat == "" {
		return
	}
	for _, namespaced := range []bool{true, false} {
		list := &unstructured.UnstructuredList{}
		gvk := s.opts.ReportFormat.GVK(namespaced)
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := s.deps.Writer.List(ctx, list, client.MatchingLabels{policyreport.LabelUID: uid}); err != nil {
			log.Error(err, "list reports of deleted resource failed", "uid", uid)
			continue
		}
		for i := range list.Items {
			if err := s.deps.Writer.Delete(ctx, &list.Items[i]); client.IgnoreNotFound(err) != nil {
				log.Error(err, "delete report failed", "name", list.Items[i].GetName())
				continue
			}
			s.deps.Metrics.reportWritten("delete")
		}
	}
}
