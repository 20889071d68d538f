{{/* The release's object names: the release name when it already says tollgate. */}}
{{- define "tollgate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tollgate.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tollgate.labels" -}}
{{ include "tollgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "tollgate.redisName" -}}
{{- printf "%s-redis" (include "tollgate.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tollgate.redisSelectorLabels" -}}
app.kubernetes.io/name: redis
app.kubernetes.io/instance: {{ include "tollgate.redisName" . }}
{{- end -}}

{{- define "tollgate.redisLabels" -}}
{{ include "tollgate.redisSelectorLabels" . }}
app.kubernetes.io/part-of: {{ .Chart.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* host:port of the release's Redis Service, as Tollgate's pods reach it. */}}
{{- define "tollgate.redisAddress" -}}
{{- printf "%s:6379" (include "tollgate.redisName" .) -}}
{{- end -}}

{{/*
Tollgate's config file. server: and storage.path fit the pod (the socket on the shared run volume,
the admin port on the pod IP for the probes, the database on the data volume); every other section
comes from the values as written.
*/}}
{{- define "tollgate.config" -}}
{{- $storage := dict "path" "/var/lib/tollgate/tollgate.db" -}}
{{- if .Values.redis.enabled -}}
{{- $storage = mergeOverwrite $storage (tpl .Values.redis.tollgateStorage . | fromYaml) -}}
{{- end -}}
{{- $server := dict "socket" "/run/tollgate/ext_proc.sock" "admin" "0.0.0.0:9190" "threads" .Values.tollgate.threads "drain_seconds" .Values.tollgate.drainSeconds -}}
{{- $config := dict "server" $server "log" .Values.log "providers" .Values.providers "models" .Values.models "gateway" .Values.gateway "storage" $storage -}}
{{- range $section := list "keys" "limits" "prices" "ledger" -}}
{{- with index $.Values $section -}}
{{- $_ := set $config $section . -}}
{{- end -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
