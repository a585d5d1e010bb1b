{{/*
Chart name, at most 63 characters.
*/}}
{{- define "cutover.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: fullnameOverride, else the release name when it already
contains the chart name, else "<release>-<chart>". At most 63 characters.
*/}}
{{- define "cutover.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
"<chart>-<version>" for the helm.sh/chart label.
*/}}
{{- define "cutover.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "cutover.labels" -}}
helm.sh/chart: {{ include "cutover.chart" . }}
{{ include "cutover.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cutover
{{- end }}

{{/*
Labels that select the operator's pods.
*/}}
{{- define "cutover.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cutover.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the operator runs as.
*/}}
{{- define "cutover.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cutover.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of the leader-election Lease (CUTOVER_LEASE_NAME).
*/}}
{{- define "cutover.leaseName" -}}
{{- default (include "cutover.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/*
The operator image: repository and tag (the chart's appVersion unless image.tag is set).
*/}}
{{- define "cutover.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The java launcher's flags (JDK_JAVA_OPTIONS): jvm.options, else the flags of the chart's
jvm.options file (comments dropped), then jvm.extraOptions.
*/}}
{{- define "cutover.jvmOptions" -}}
{{- $jvm := .Values.jvm | default dict }}
{{- $flags := list }}
{{- if $jvm.options }}
{{- $flags = append $flags $jvm.options }}
{{- else }}
{{- range (.Files.Get "jvm.options" | splitList "\n") }}
{{- $line := regexReplaceAll "#.*$" . "" | trim }}
{{- if $line }}
{{- $flags = append $flags $line }}
{{- end }}
{{- end }}
{{- end }}
{{- with $jvm.extraOptions }}
{{- $flags = append $flags . }}
{{- end }}
{{- join " " $flags }}
{{- end }}
