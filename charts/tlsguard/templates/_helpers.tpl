{{/* Names, labels and shared fragments of the tlsguard chart. */}}

{{- define "tlsguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the release name when it contains the chart name (release
"tlsguard" gives "tlsguard"), else "<release>-<chart>". Truncated so that the
longest derived name ("<fullname>-serving-cert") stays within 63 characters.
*/}}
{{- define "tlsguard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tlsguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tlsguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tlsguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tlsguard.labels" -}}
helm.sh/chart: {{ include "tlsguard.chart" . }}
{{ include "tlsguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tlsguard
{{- end }}

{{- define "tlsguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tlsguard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The webhook Service; `tlsguard webhook manifest` defaults to "tlsguard-webhook". */}}
{{- define "tlsguard.serviceName" -}}
{{- printf "%s-webhook" (include "tlsguard.fullname" .) }}
{{- end }}

{{- define "tlsguard.caName" -}}
{{- printf "%s-ca" (include "tlsguard.fullname" .) }}
{{- end }}

{{- define "tlsguard.selfSignedIssuerName" -}}
{{- printf "%s-selfsigned" (include "tlsguard.fullname" .) }}
{{- end }}

{{- define "tlsguard.servingCertName" -}}
{{- printf "%s-serving-cert" (include "tlsguard.fullname" .) }}
{{- end }}

{{/* The Secret mounted as --cert-dir. */}}
{{- define "tlsguard.servingSecretName" -}}
{{- if .Values.webhook.tls.secretName }}
{{- .Values.webhook.tls.secretName }}
{{- else if .Values.certManager.enabled }}
{{- include "tlsguard.servingCertName" . }}
{{- else }}
{{- fail "webhook.tls.secretName is required when certManager.enabled is false (a kubernetes.io/tls Secret for the webhook Service's DNS name)" }}
{{- end }}
{{- end }}

{{- define "tlsguard.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "tlsguard.leaderElectionID" -}}
{{- default (printf "%s-scanner" (include "tlsguard.fullname" .)) .Values.scanner.leaderElectionID }}
{{- end }}

{{/* The scanner runs unless both its interval is zero and it has no schedule. */}}
{{- define "tlsguard.scannerEnabled" -}}
{{- if or .Values.scanner.schedule (not (include "tlsguard.isZeroDuration" .Values.scanner.interval)) }}true{{ end }}
{{- end }}

{{- define "tlsguard.probeEnabled" -}}
{{- if not (include "tlsguard.isZeroDuration" .Values.probe.interval) }}true{{ end }}
{{- end }}

{{/* "true" when a Go duration ("0", "0s", "0h0m0s", ...) is zero: it has no digit but 0. */}}
{{- define "tlsguard.isZeroDuration" -}}
{{- if not (regexMatch "[1-9]" (toString .)) }}true{{ end }}
{{- end }}

{{/*
The objects tlsguard's policies read: a mirror of pkg/guarded.Resources (same
order). The webhooks, the RBAC rules and hack/helm-lint.sh's comparison with
`tlsguard webhook manifest` all come from this list; when pkg/guarded
changes, change it here too (helm-lint fails until both agree).
*/}}
{{- define "tlsguard.guarded" -}}
- name: settings
  group: management.cattle.io
  version: v3
  resources: [settings]
  names: [agent-tls-mode, cacerts, server-url, tls-min-version, tls-ciphers, internal-cacerts]
- name: secrets
  group: ""
  version: v1
  resources: [secrets]
  namespaces: [cattle-system]
- name: workloads
  group: apps
  version: v1
  resources: [deployments, daemonsets]
  namespaces: [cattle-system]
  names: [rancher, cattle-cluster-agent, cattle-cluster-agent-bootstrap, cattle-node-agent]
- name: fleet
  group: ""
  version: v1
  resources: [configmaps]
  namespaces: [cattle-fleet-system, cattle-fleet-local-system]
  names: [fleet-agent]
- name: plans
  group: upgrade.cattle.io
  version: v1
  resources: [plans]
  namespaces: [cattle-system]
  names: [system-agent-upgrader]
- name: provisioning-clusters
  group: provisioning.cattle.io
  version: v1
  resources: [clusters]
- name: management-clusters
  group: management.cattle.io
  version: v3
  resources: [clusters]
- name: cert-manager
  group: cert-manager.io
  version: v1
  resources: [issuers, clusterissuers, certificates]
- name: ingresses
  group: networking.k8s.io
  version: v1
  resources: [ingresses]
  namespaces: [cattle-system]
  names: [rancher]
{{- end }}

{{/* A CEL list literal as webhook.celList writes it: ['a', 'b']. */}}
{{- define "tlsguard.celList" -}}
[{{ range $i, $s := . }}{{ if $i }}, {{ end }}'{{ $s }}'{{ end }}]
{{- end }}

{{/*
The chart's own objects of guarded kinds, by guarded set, that the webhooks
must not be called for: the API server could not create, renew or delete them
while no tlsguard replica answers (under failurePolicy Fail), and tlsguard
cannot start without its serving certificate. cert-manager kinds are guarded
in every namespace; Secrets only in cattle-system, so they matter only when
the chart is installed there.
*/}}
{{- define "tlsguard.ownObjects" -}}
{{- $own := dict }}
{{- if .Values.certManager.enabled }}
{{- $_ := set $own "cert-manager" (list (include "tlsguard.selfSignedIssuerName" .) (include "tlsguard.caName" .) (include "tlsguard.servingCertName" .)) }}
{{- end }}
{{- if eq .Release.Namespace "cattle-system" }}
{{- $secrets := list (include "tlsguard.servingSecretName" .) }}
{{- if .Values.certManager.enabled }}
{{- $secrets = append $secrets (include "tlsguard.caName" .) }}
{{- end }}
{{- $_ := set $own "secrets" ($secrets | uniq) }}
{{- end }}
{{- toYaml $own }}
{{- end }}

{{/*
Combinations the schema cannot express, refused at render time rather than
by a crash-looping pod.
*/}}
{{- define "tlsguard.validate" -}}
{{- $eval := toString .Values.webhook.evalTimeout }}
{{- $evalMs := -1 }}
{{- if regexMatch "^[0-9]+ms$" $eval }}{{ $evalMs = int (trimSuffix "ms" $eval) }}
{{- else if regexMatch "^[0-9]+s$" $eval }}{{ $evalMs = mul (int (trimSuffix "s" $eval)) 1000 }}
{{- else if regexMatch "^[0-9]+m$" $eval }}{{ $evalMs = mul (int (trimSuffix "m" $eval)) 60000 }}
{{- end }}
{{- if ge (int $evalMs) (mul (int .Values.webhook.timeoutSeconds) 1000) }}
{{- fail (printf "webhook.evalTimeout (%s) must be below webhook.timeoutSeconds (%vs): tlsguard must answer before the API server gives up" $eval .Values.webhook.timeoutSeconds) }}
{{- end }}
{{- if and .Values.scanner.schedule (include "tlsguard.isZeroDuration" .Values.scanner.interval) }}
{{- fail "scanner.schedule needs a non-zero scanner.interval (the schedule wins): with --scan-interval=0, tlsguard serve turns leader election off and every replica would scan and write reports" }}
{{- end }}
{{- if gt (int .Values.prometheusRule.certificateExpiry.criticalDays) (int .Values.prometheusRule.certificateExpiry.warningDays) }}
{{- fail "prometheusRule.certificateExpiry.criticalDays must not exceed warningDays" }}
{{- end }}
{{- end }}

{{/* A CEL list literal with double-quoted strings: ["a", "b"]. */}}
{{- define "tlsguard.celListDQ" -}}
[{{ range $i, $s := . }}{{ if $i }}, {{ end }}{{ $s | quote }}{{ end }}]
{{- end }}
