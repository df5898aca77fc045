{{/* The release's name for its objects, cut to what Kubernetes allows. */}}
{{- define "alluxio.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "alluxio.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "alluxio.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The headless service that names each master (alluxio-master-0...). */}}
{{- define "alluxio.masterHeadless" -}}
{{ include "alluxio.fullname" . }}-master-headless
{{- end -}}

{{/* The stable DNS name of master i. */}}
{{- define "alluxio.masterHost" -}}
{{ include "alluxio.fullname" .root }}-master-{{ .i }}.{{ include "alluxio.masterHeadless" .root }}.{{ .root.Release.Namespace }}.svc.cluster.local
{{- end -}}

{{/* host:port of every master on one port: the embedded journal or rpc. */}}
{{- define "alluxio.masterAddresses" -}}
{{- $root := .root -}}
{{- $port := .port -}}
{{- $out := list -}}
{{- range $i := until (int $root.Values.master.count) -}}
{{- $out = append $out (printf "%s:%v" (include "alluxio.masterHost" (dict "root" $root "i" $i)) $port) -}}
{{- end -}}
{{- join "," $out -}}
{{- end -}}

{{- define "alluxio.image" -}}
{{ .Values.image }}:{{ .Values.imageTag }}
{{- end -}}

{{/* Runs as the image's user, never root; nothing is added to its rights. */}}
{{- define "alluxio.securityContext" -}}
runAsUser: {{ .Values.user }}
runAsGroup: {{ .Values.group }}
runAsNonRoot: true
allowPrivilegeEscalation: false
{{- end -}}
