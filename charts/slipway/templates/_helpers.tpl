{{/* The base name of every object: the release name, or release-chart when the release name does not contain the chart's. */}}
{{- define "slipway.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "slipway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object; pass (dict "root" $ "component" "controller"). */}}
{{- define "slipway.labels" -}}
helm.sh/chart: {{ include "slipway.chart" .root }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: slipway
{{ include "slipway.selectorLabels" . }}
{{- end -}}

{{/* The labels pods are selected by; dashboards and scrape configs rely on these two. */}}
{{- define "slipway.selectorLabels" -}}
app.kubernetes.io/name: slipway
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "slipway.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "slipway.controllerServiceAccount" -}}
{{- .Values.controller.serviceAccount.name | default (printf "%s-controller" (include "slipway.fullname" .)) -}}
{{- end -}}

{{- define "slipway.botServiceAccount" -}}
{{- .Values.bot.serviceAccount.name | default (printf "%s-bot" (include "slipway.fullname" .)) -}}
{{- end -}}

{{/* Refuses values that would render a broken installation. */}}
{{- define "slipway.validate" -}}
{{- if and (eq .Values.rbac.scope "namespace") (not .Values.rbac.watchNamespace) -}}
{{- fail "rbac.scope=namespace needs rbac.watchNamespace: the namespace the controller (and bot) may act in" -}}
{{- end -}}
{{- if and .Values.bot.enabled (not .Values.bot.existingSecret) -}}
{{- fail "bot.enabled needs bot.existingSecret: the Secret holding the Telegram token (create it with kubectl, not through values)" -}}
{{- end -}}
{{- end -}}

{{/* The pod-level probes, ports and hardening the controller and the bot share. */}}
{{- define "slipway.probes" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: health
  initialDelaySeconds: 5
  periodSeconds: 10
  timeoutSeconds: 2
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: health
  periodSeconds: 5
  timeoutSeconds: 2
  failureThreshold: 3
{{- end -}}

{{- define "slipway.ports" -}}
ports:
  - name: metrics
    containerPort: {{ .Values.metrics.port }}
    protocol: TCP
  - name: health
    containerPort: {{ .Values.healthPort }}
    protocol: TCP
{{- end -}}

{{/* What the controller may do, the same rules in a ClusterRole or a Role (manifests/controller/rbac.yaml says why each is needed). */}}
{{- define "slipway.controllerRules" -}}
- apiGroups: ["slipway.dev"]
  resources: ["deploymentrequests"]
  verbs: ["get", "list", "watch", "patch", "delete"]
- apiGroups: ["slipway.dev"]
  resources: ["deploymentrequests/status"]
  verbs: ["update"]
- apiGroups: ["slipway.dev"]
  resources: ["deploymenttargets"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["slipway.dev"]
  resources: ["deploymenttargets/status"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: ["networking.istio.io"]
  resources: ["virtualservices"]
  verbs: ["get", "patch"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["get", "patch"]
{{- end -}}

{{/* What the bot may do (manifests/bot/rbac.yaml). */}}
{{- define "slipway.botRules" -}}
- apiGroups: ["slipway.dev"]
  resources: ["deploymentrequests"]
  verbs: ["create", "get", "list", "watch", "patch"]
- apiGroups: ["slipway.dev"]
  resources: ["deploymenttargets"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}

{{/* Leader election on one named Lease; pass (dict "root" $ "lease" NAME). */}}
{{- define "slipway.leaseRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  resourceNames: [{{ .lease | quote }}]
  verbs: ["get", "update"]
{{- end -}}
