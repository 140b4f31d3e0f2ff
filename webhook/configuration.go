package webhook

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/tlsguard/tlsguard/pkg/guarded"
)

// GuardedResources are the objects the policy library reads; see
// pkg/guarded.
var GuardedResources = guarded.Resources

// ConfigOptions shape the ValidatingWebhookConfiguration.
type ConfigOptions struct {
	Name string // default "tlsguard"
	// Service reference (in-cluster) or URL (local mode); URL wins.
	ServiceNamespace, ServiceName string
	ServicePort                   int32
	URL                           string
	CABundle                      []byte
	// FailurePolicy is Fail (default: a guard that fails open guards
	// nothing) or Ignore (availability first; see docs/webhook.md).
	FailurePolicy  admissionregistrationv1.FailurePolicyType
	TimeoutSeconds int32 // default 3
}

func (o *ConfigOptions) defaults() {
	if o.Name == "" {
		o.Name = "tlsguard"
	}
	if o.ServiceNamespace == "" {
		o.ServiceNamespace = "tlsguard-system"
	}
	if o.ServiceName == "" {
		o.ServiceName = "tlsguard-webhook"
	}
	if o.ServicePort == 0 {
		o.ServicePort = 443
	}
	if o.FailurePolicy == "" {
		o.FailurePolicy = admissionregistrationv1.Fail
	}
	if o.TimeoutSeconds == 0 {
		o.TimeoutSeconds = 3
	}
}

// Configuration builds the ValidatingWebhookConfiguration: one webhook per
// guarded set, CREATE/UPDATE/DELETE, sideEffects None, v1 reviews.
func Configuration(o ConfigOptions) *admissionregistrationv1.ValidatingWebhookConfiguration {
	o.defaults()
	cc := admissionregistrationv1.WebhookClientConfig{CABundle: o.CABundle}
	if o.URL != "" {
		cc.URL = ptr.To(o.URL)
	} else {
		cc.Service = &admissionregistrationv1.ServiceReference{Namespace: o.ServiceNamespace, Name: o.ServiceName, Path: ptr.To(Path), Port: ptr.To(o.ServicePort)}
	}
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Labels: map[string]string{"app.kubernetes.io/name": "tlsguard"}},
	}
	for _, g := range GuardedResources {
		w := admissionregistrationv1.ValidatingWebhook{
			Name:                    webhookName(g.Name, o.Name),
			ClientConfig:            cc,
			FailurePolicy:           ptr.To(o.FailurePolicy),
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
			TimeoutSeconds:          ptr.To(o.TimeoutSeconds),
			MatchPolicy:             ptr.To(admissionregistrationv1.Equivalent),
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update, admissionregistrationv1.Delete},
				Rule: admissionregistrationv1.Rule{
					APIGroups: []string{g.Group}, APIVersions: []string{g.Version}, Resources: g.Resources,
					Scope: ptr.To(admissionregistrationv1.AllScopes),
				},
			}},
		}
		if len(g.Namespaces) > 0 {
			w.NamespaceSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: g.Namespaces,
			}}}
		}
		if len(g.Names) > 0 {
			w.MatchConditions = []admissionregistrationv1.MatchCondition{{
				Name:       "guarded-names",
				Expression: fmt.Sprintf("request.name in %s", celList(g.Names)),
			}}
		}
		vwc.Webhooks = append(vwc.Webhooks, w)
	}
	return vwc
}

// webhookName is <set>.tlsguard.io for the default configuration name and
// <set>.<name>.tlsguard.io otherwise, so two installs never collide.
func webhookName(set, name string) string {
	if name == "tlsguard" {
		return set + ".tlsguard.io"
	}
	return set + "." + name + ".tlsguard.io"
}

func celList(ss []string) string {
	out := "["
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("'%s'", s)
	}
	return out + "]"
}

// Manifest is the configuration as YAML, what `tlsguard webhook manifest`
// prints and webhook/manifest.yaml holds.
func Manifest(o ConfigOptions) ([]byte, error) {
	return yaml.Marshal(Configuration(o))
}
