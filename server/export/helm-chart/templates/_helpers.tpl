{{/* Names: every object is the release's name and a part. */}}
{{- define "apprun.name" -}}{{ .Release.Name | trunc 40 | trimSuffix "-" }}{{- end -}}
{{- define "apprun.labels" -}}
app.kubernetes.io/name: apprun
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- define "apprun.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The apprun image, as `apprun images build` made it and you pushed it. */}}
{{- define "apprun.image" -}}{{ .Values.image.repository }}:{{ .Values.image.tag }}{{- end -}}

{{/* Every apprun process is told the port base the ports below derive from, and where the project is. */}}
{{- define "apprun.args" -}}
- --port-base
- {{ .Values.ports.gateway | quote }}
- --project
- /project
{{- end -}}

{{/*
The sidecar of every pod that runs apprun: each service's loopback port leads to its Service, so `apprun service` and
`apprun gateway` run as they do on a laptop. A native sidecar (an init container that keeps running): Kubernetes 1.29+.
*/}}
{{- define "apprun.links" -}}
{{- $root := .root -}}
{{- $n := include "apprun.name" $root -}}
- name: links
  image: {{ include "apprun.image" $root }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  restartPolicy: Always
  command: ["node", "/opt/apprun/bin/apprun.mjs", "forward"]
  args:
    {{- range .links }}
    {{- if eq . "postgres" }}
    - {{ printf "%v=%s-db-rw:5432" $root.Values.ports.postgres $n | quote }}
    {{- else if eq . "postgrest" }}
    - {{ printf "%v=%s-postgrest:%v" $root.Values.ports.postgrest $n $root.Values.ports.postgrest | quote }}
    - {{ printf "%v=%s-postgrest:%v" $root.Values.ports.postgrestAdmin $n $root.Values.ports.postgrestAdmin | quote }}
    {{- else if eq . "kratos" }}
    - {{ printf "%v=%s-kratos:%v" $root.Values.ports.kratosPublic $n $root.Values.ports.kratosPublic | quote }}
    - {{ printf "%v=%s-kratos:%v" $root.Values.ports.kratosAdmin $n $root.Values.ports.kratosAdmin | quote }}
    {{- else if eq . "temporal" }}
    - {{ printf "%v=%s:%v" $root.Values.ports.temporal (include "apprun.temporalHost" $root) (include "apprun.temporalPort" $root) | quote }}
    {{- else if eq . "objects" }}
    - {{ printf "%v=%s:%v" $root.Values.ports.minio (include "apprun.objectsHost" $root) (include "apprun.objectsPort" $root) | quote }}
    {{- end }}
    {{- end }}
  resources:
    requests: { cpu: 10m, memory: 32Mi }
    limits: { memory: 64Mi }
{{- end -}}

{{- define "apprun.temporalHost" -}}
{{- if .Values.temporal.external.host }}{{ .Values.temporal.external.host }}{{ else }}{{ include "apprun.name" . }}-temporal{{ end -}}
{{- end -}}
{{- define "apprun.temporalPort" -}}
{{- if .Values.temporal.external.host }}{{ .Values.temporal.external.port }}{{ else }}7233{{ end -}}
{{- end -}}
{{- define "apprun.objectsHost" -}}
{{- if eq .Values.objectStore.backend "external" }}{{ .Values.objectStore.external.host }}{{ else }}{{ include "apprun.name" . }}-objects{{ end -}}
{{- end -}}
{{- define "apprun.objectsPort" -}}
{{- if eq .Values.objectStore.backend "external" }}{{ .Values.objectStore.external.port }}{{ else }}9000{{ end -}}
{{- end -}}

{{/* The secrets every apprun process reads (APPRUN_SECRET_*, the signing key, the admin token), from the Secret. */}}
{{- define "apprun.secretEnv" -}}
- secretRef:
    name: {{ include "apprun.name" . }}-secrets
{{- end -}}

{{/* Beside them: another S3 store than MinIO is checked by its port; the cluster's own store brings its keys. */}}
{{- define "apprun.objectStoreEnv" -}}
{{- if ne .Values.objectStore.backend "minio" }}
- name: APPRUN_OBJECT_STORE
  value: s3
{{- end }}
{{- if eq .Values.objectStore.backend "external" }}
- name: APPRUN_SECRET_MINIO_ROOT_USER
  valueFrom:
    secretKeyRef: { name: {{ required "objectStore.external.secretName" .Values.objectStore.external.secretName }}, key: accessKey }
- name: APPRUN_SECRET_MINIO_ROOT_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ .Values.objectStore.external.secretName }}, key: secretKey }
{{- end }}
{{- end -}}

{{/* The project folder (config, migrations, seed, functions, policies), from its ConfigMap, at /project/apprun. */}}
{{- define "apprun.projectVolume" -}}
- name: project
  configMap:
    name: {{ include "apprun.name" . }}-project
    items:
      {{- range $path, $_ := .Files.Glob "project/apprun/**" }}
      - key: {{ $path | trimPrefix "project/apprun/" | replace "/" "__" }}
        path: {{ $path | trimPrefix "project/" }}
      {{- end }}
{{- end -}}

{{- define "apprun.resources" -}}
requests:
  cpu: {{ .cpu | default "50m" }}
  memory: {{ printf "%vMi" .memoryMb }}
limits:
  memory: {{ printf "%vMi" (mul 2 .memoryMb) }}
{{- end -}}
